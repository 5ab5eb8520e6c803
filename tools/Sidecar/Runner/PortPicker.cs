using System.Net;
using System.Net.Sockets;

namespace Sidecar.Runner;

/// <summary>
/// Free loopback ports for the run's sidecars and backends that avoid every port the run file names: a port the
/// OS hands out as "free" may be one an app is about to listen on (its appPort is free until the app starts).
/// </summary>
internal sealed class PortPicker(IEnumerable<int> reserved)
{
    private readonly HashSet<int> _taken = [.. reserved];
    private readonly Lock _lock = new();

    public static PortPicker For(RunFile runFile) => new(runFile.Apps
        .SelectMany(a => new[] { a.AppPort, a.DaprHttpPort, a.DaprGrpcPort })
        .OfType<int>());

    public int Next()
    {
        lock (_lock)
        {
            while (true)
            {
                using var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                if (_taken.Add(port))
                {
                    return port;
                }
            }
        }
    }
}
