using System.Diagnostics;
using System.Text;

namespace Platform.Testing;

/// <summary>
/// Our sidecar as a real OS process (the Sidecar.dll built beside the tests), for crash tests: it can be
/// killed with SIGKILL and started again on the same ports and resources, like a restarted daprd.
/// </summary>
public sealed class SidecarProcess : IAsyncDisposable
{
    private readonly string[] _arguments;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly StringBuilder _output = new();
    private Process? _process;

    private SidecarProcess(string appId, int grpcPort, int httpPort, string[] arguments, IReadOnlyDictionary<string, string> environment)
    {
        AppId = appId;
        GrpcPort = grpcPort;
        HttpPort = httpPort;
        _arguments = arguments;
        _environment = environment;
    }

    public string AppId { get; }

    public int GrpcPort { get; }

    public int HttpPort { get; }

    public string GrpcEndpoint => $"http://127.0.0.1:{GrpcPort}";

    public string HttpEndpoint => $"http://127.0.0.1:{HttpPort}";

    /// <summary>Everything the process printed, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static async Task<SidecarProcess> StartAsync(
        string appId, string resourcesDirectory, int? appPort = null, IEnumerable<string>? extraArguments = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var grpcPort = ProcessRunner.FreePort();
        var httpPort = ProcessRunner.FreePort();
        var arguments = new List<string>
        {
            "--app-id", appId, "--dapr-grpc-port", grpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--dapr-http-port", httpPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--resources-path", resourcesDirectory,
        };
        if (appPort is { } port)
        {
            arguments.AddRange(["--app-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        arguments.AddRange(extraArguments ?? []);
        var sidecar = new SidecarProcess(appId, grpcPort, httpPort, [.. arguments], environment ?? new Dictionary<string, string>());
        await sidecar.StartProcessAsync();
        return sidecar;
    }

    /// <summary>SIGKILL: no shutdown code runs, as in a crash.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>Starts the process again with the same ports, resources and environment.</summary>
    public Task RestartAsync() => StartProcessAsync();

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
    }

    private async Task StartProcessAsync()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Sidecar.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"Sidecar.dll not found beside the tests ({dll}); reference tools/Sidecar from the test project.");
        }

        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(dll);
        foreach (var argument in _arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in _environment)
        {
            info.Environment[key] = value;
        }

        _process?.Dispose();
        _process = Process.Start(info) ?? throw new InvalidOperationException("could not start the sidecar process");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var http = new HttpClient();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"sidecar process exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync($"{HttpEndpoint}/v1.0/healthz/outbound");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"sidecar process did not become ready:\n{Output}");
            }

            await Task.Delay(100);
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
