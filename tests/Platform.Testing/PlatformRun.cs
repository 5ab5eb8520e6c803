using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Platform.Testing;

/// <summary>
/// The platform as a user runs it: `Sidecar run -f` as an OS process with a run file naming every app (each its
/// built DLL, started by the runner with its in-process sidecar), on a PostgreSQL and a Redis of its own.
/// Apps restart when they die (<c>x-sidecar.restartApps</c>), so crash tests can kill -9 one and watch it recover.
/// </summary>
public sealed partial class PlatformRun : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly ConcurrentQueue<string> _lines = new();
    private readonly Dictionary<string, int> _ports;
    private Process? _runner;

    private PlatformRun(string directory, PostgresServer postgres, RedisServer redis, Dictionary<string, int> ports)
    {
        Directory = directory;
        Postgres = postgres;
        Redis = redis;
        _ports = ports;
    }

    public string Directory { get; }

    public PostgresServer Postgres { get; }

    public RedisServer Redis { get; }

    /// <summary>Everything the runner printed (its own lines, the apps' and the sidecars'), for failure messages.</summary>
    public string Output => string.Join('\n', _lines);

    public static readonly IReadOnlyList<PlatformApp> AllApps =
    [
        new("catalog", "services/Catalog", "Catalog"),
        new("orders", "services/Orders", "Orders"),
        new("payments", "services/Payments", "Payments"),
        new("inventory", "services/Inventory", "Inventory"),
        new("order-saga", "workflows/OrderSaga", "OrderSaga"),
        new("order-query", "services/OrderQuery", "OrderQuery"),
        new("gateway", "services/Gateway", "Gateway"),
    ];

    /// <param name="appSettings">Extra environment per app id (e.g. the payment gateway's decline rules).</param>
    /// <param name="faults">Fault spec per app id for its sidecar (the --sidecar-faults syntax).</param>
    /// <param name="sidecarLogLevel">The sidecars' log level ("info" shows e.g. every injected fault in <see cref="Output"/>).</param>
    /// <param name="durablePostgres">PostgreSQL with fsync on, as benchmarks need (tests run without for speed).</param>
    public static async Task<PlatformRun> StartAsync(
        IReadOnlyList<PlatformApp>? apps = null,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>? appSettings = null,
        IReadOnlyDictionary<string, string>? faults = null,
        string sidecarLogLevel = "warn",
        bool durablePostgres = false)
    {
        apps ??= AllApps;
        var postgres = await PostgresServer.StartAsync(durablePostgres);
        var redis = await RedisServer.StartAsync();
        var directory = System.IO.Directory.CreateTempSubdirectory("platform-run-").FullName;
        var ports = apps.ToDictionary(a => a.AppId, _ => ProcessRunner.FreePort(), StringComparer.Ordinal);
        var run = new PlatformRun(directory, postgres, redis, ports);
        await File.WriteAllTextAsync(Path.Combine(directory, "dapr.yaml"), RunFile(apps, ports, appSettings, faults, sidecarLogLevel));
        try
        {
            await run.StartRunnerAsync(apps);
        }
        catch
        {
            await run.DisposeAsync();
            throw;
        }

        return run;
    }

    /// <summary>Whether the run includes the app.</summary>
    public bool Runs(string appId) => _ports.ContainsKey(appId);

    /// <summary>A client of an app's own HTTP API.</summary>
    public HttpClient Client(string appId) => new() { BaseAddress = new Uri($"http://127.0.0.1:{_ports[appId]}"), Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>kill -9 of the app's current process; the runner starts it again beside the same sidecar.</summary>
    public async Task KillAppAsync(string appId)
    {
        var pid = CurrentPid(appId) ?? throw new InvalidOperationException($"no process of {appId} is known:\n{Output}");
        using (var process = Process.GetProcessById(pid))
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        await Eventually.MatchAsync(() => CurrentPid(appId), p => p is not null && p != pid, StartTimeout, $"{appId} restarted by the runner");
        await WaitHealthyAsync(appId);
    }

    public async ValueTask DisposeAsync()
    {
        if (_runner is { HasExited: false } runner)
        {
            // SIGTERM: the runner stops the apps, then the sidecars (its Ctrl+C path).
            using (var kill = Process.Start("kill", ["-TERM", runner.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await runner.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                runner.Kill(entireProcessTree: true);
            }
        }

        _runner?.Dispose();
        await Redis.DisposeAsync();
        await Postgres.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Log files still being flushed; the temp cleaner takes them.
        }
    }

    private int? CurrentPid(string appId)
    {
        var started = _lines.Select(l => AppStarted().Match(l)).LastOrDefault(m => m.Success && m.Groups["app"].Value == appId);
        return started is null ? null : int.Parse(started.Groups["pid"].Value, CultureInfo.InvariantCulture);
    }

    private async Task StartRunnerAsync(IReadOnlyList<PlatformApp> apps)
    {
        var sidecar = Path.Combine(AppContext.BaseDirectory, "Sidecar.dll");
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(sidecar);
        info.ArgumentList.Add("run");
        info.ArgumentList.Add("-f");
        info.ArgumentList.Add(Path.Combine(Directory, "dapr.yaml"));
        // The runner uses these servers instead of starting its own under .data/ (ADR 0003).
        info.Environment["PLATFORM_POSTGRES"] = Postgres.AdminConnectionString;
        info.Environment["PLATFORM_REDIS"] = Redis.Address;
        _runner = Process.Start(info) ?? throw new InvalidOperationException("could not start the runner");
        _runner.OutputDataReceived += (_, e) => Append(e.Data);
        _runner.ErrorDataReceived += (_, e) => Append(e.Data);
        _runner.BeginOutputReadLine();
        _runner.BeginErrorReadLine();

        foreach (var app in apps)
        {
            await WaitHealthyAsync(app.AppId);
        }
    }

    private async Task WaitHealthyAsync(string appId)
    {
        using var http = Client(appId);
        http.Timeout = TimeSpan.FromSeconds(2);
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            if (_runner!.HasExited)
            {
                throw new InvalidOperationException($"the runner exited with {_runner.ExitCode} before {appId} was ready:\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("/health", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{appId} did not become ready within {StartTimeout.TotalSeconds} s:\n{Output}");
            }

            await Task.Delay(200);
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            _lines.Enqueue(line);
        }
    }

    private static string RunFile(
        IReadOnlyList<PlatformApp> apps,
        Dictionary<string, int> ports,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>? appSettings,
        IReadOnlyDictionary<string, string>? faults,
        string sidecarLogLevel)
    {
        var root = RepositoryRoot();
        var configuration = Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar))!);
        var text = new StringBuilder();
        text.AppendLine("version: 1");
        text.AppendLine("common:");
        text.AppendLine($"  resourcesPaths: [\"{Path.Combine(root, "components")}\"]");
        text.AppendLine($"  logLevel: {sidecarLogLevel}");
        text.AppendLine("apps:");
        foreach (var app in apps)
        {
            var project = Path.Combine(root, app.ProjectDirectory);
            var dll = Path.Combine(project, "bin", configuration, "net10.0", app.AssemblyName + ".dll");
            if (!File.Exists(dll))
            {
                throw new InvalidOperationException($"{dll} not found: build the solution first (dotnet build Platform.sln)");
            }

            text.AppendLine($"  - appID: {app.AppId}");
            text.AppendLine($"    appDirPath: \"{project}\"");
            text.AppendLine($"    appPort: {ports[app.AppId]}");
            text.AppendLine($"    command: [\"dotnet\", \"{dll}\"]");
            text.AppendLine("    appLogDestination: console");
            text.AppendLine("    daprdLogDestination: console");
            text.AppendLine("    env:");
            text.AppendLine($"      ASPNETCORE_URLS: \"http://127.0.0.1:{ports[app.AppId]}\"");
            text.AppendLine("      Logging__LogLevel__Default: \"Warning\"");
            foreach (var (key, value) in appSettings?.GetValueOrDefault(app.AppId) ?? new Dictionary<string, string>())
            {
                text.AppendLine($"      {key}: \"{value}\"");
            }
        }

        text.AppendLine("x-sidecar:");
        text.AppendLine("  backends: [postgres, redis]");
        text.AppendLine("  databases: [catalog, orders, payments, saga, orderquery]");
        text.AppendLine("  restartApps: true");
        text.AppendLine("  outboxDelay: 100ms");
        if (faults is { Count: > 0 })
        {
            text.AppendLine("  faults:");
            foreach (var (appId, spec) in faults)
            {
                text.AppendLine($"    {appId}: \"{spec}\"");
            }
        }

        return text.ToString();
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Platform.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Platform.sln not found above the test folder");
    }

    [GeneratedRegex(@"App (?<app>[a-z-]+) started \(pid (?<pid>\d+)\)")]
    private static partial Regex AppStarted();
}

/// <summary>An app of the run: its id, project folder (relative to the repository) and assembly name.</summary>
public sealed record PlatformApp(string AppId, string ProjectDirectory, string AssemblyName);
