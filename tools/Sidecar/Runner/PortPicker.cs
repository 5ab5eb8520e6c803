using System.Net;
using System.Net.Sockets;

namespace Sidecar.Runner;

/// <summary>
/// Free loopback ports that this process has never handed out before, and that avoid the ports a picker is told to
/// reserve. A port the OS reports free may be one an app is about to listen on (its appPort is free until the app
/// starts), or the port of a sidecar that just stopped while a client still points at it: in a test run many
/// sidecars of one process start and stop side by side, and one must never answer for another.
/// </summary>
public sealed class PortPicker
{
    // Process-wide: every picker draws from it, so no two pickers hand out the same port.
    private static readonly HashSet<int> HandedOut = [];
    private static readonly Lock HandedOutLock = new();

    private readonly HashSet<int> _reserved;
    private readonly Func<int> _freeNow;

    public PortPicker(IEnumerable<int> reserved)
        : this(reserved, OsFreePort)
    {
    }

    /// <param name="freeNow">Where candidate ports come from (the OS; a fixed sequence in tests).</param>
    internal PortPicker(IEnumerable<int> reserved, Func<int> freeNow)
    {
        _reserved = [.. reserved];
        _freeNow = freeNow;
    }

    /// <summary>A picker with nothing reserved: the sidecar's automatic ports, and the tests' servers and apps.</summary>
    public static PortPicker Any { get; } = new([]);

    public static PortPicker For(RunFile runFile) => new(runFile.Apps
        .SelectMany(a => new[] { a.AppPort, a.DaprHttpPort, a.DaprGrpcPort })
        .OfType<int>());

    public int Next()
    {
        lock (HandedOutLock)
        {
            // The OS offers ports at random from about 28 000: far fewer tries find a new one unless nearly all are gone.
            for (var attempt = 0; attempt < 10_000; attempt++)
            {
                var port = _freeNow();
                if (!_reserved.Contains(port) && HandedOut.Add(port))
                {
                    return port;
                }
            }

            throw new InvalidOperationException($"no free loopback port that this process has not handed out already ({HandedOut.Count} handed out)");
        }
    }

    private static int OsFreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
