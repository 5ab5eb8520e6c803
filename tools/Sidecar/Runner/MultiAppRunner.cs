using System.Globalization;
using System.Net.Sockets;
using Sidecar.Hosting;

namespace Sidecar.Runner;

/// <summary>
/// <c>dapr run -f</c> without the Dapr CLI: starts the run's backends, one in-process sidecar per app (sharing a
/// name-resolution folder so service invocation works between them), then each app's command as a child process
/// with the environment the CLI gives apps; streams their lines with the CLI's prefixes; stops everything when
/// cancelled (exit code 0) or when an app fails to start, never becomes healthy or exits (exit code 1).
/// </summary>
public sealed class MultiAppRunner(RunFile runFile, Action<string> writeLine, Func<string, string?> environment)
{
    private static readonly TimeSpan DefaultStartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan DefaultStopGrace = TimeSpan.FromSeconds(5);

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(new LineLoggerProvider(writeLine, withCategory: false)));
        var logger = loggerFactory.CreateLogger<MultiAppRunner>();
        foreach (var warning in runFile.Warnings)
        {
            RunnerLog.RunFileWarning(logger, warning);
        }

        RunnerLog.Starting(logger, runFile.Apps.Count, runFile.FilePath);
        var registry = Directory.CreateTempSubdirectory("sidecar-run-registry-").FullName;
        var running = new List<RunningApp>();
        BackendServers? backends = null;
        try
        {
            // The first failure (an app that exits or never becomes healthy) ends the run.
            var failure = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            var ports = PortPicker.For(runFile);
            backends = await BackendServers.StartAsync(BackendServers.Requested(runFile, environment), runFile.Databases, runFile.Directory, environment, ports, logger, cancellationToken);
            foreach (var app in runFile.Apps)
            {
                running.Add(await StartSidecarAsync(app, backends.Variables, registry, ports, cancellationToken));
            }

            PrintTable(running);
            foreach (var app in running)
            {
                StartApp(app, logger, failure, runFile.RestartApps, cancellationToken);
            }

            foreach (var app in running)
            {
                _ = ReportSidecarStopAsync(app, failure, cancellationToken);
            }

            var startTimeout = Duration(environment("SIDECAR_APP_START_TIMEOUT"), "SIDECAR_APP_START_TIMEOUT") ?? DefaultStartTimeout;
            foreach (var app in running.Where(a => a.Process is not null && a.App.AppPort is not null))
            {
                _ = WatchHealthAsync(app, startTimeout, logger, failure, cancellationToken);
            }

            RunnerLog.Running(logger, running.Count);
            var reason = await failure.Task.WaitAsync(cancellationToken);
            RunnerLog.RunFailed(logger, reason);
            return 1;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
        catch (Exception ex) when (ex is RunnerException or ChildProcessStartException or SidecarStartException)
        {
            RunnerLog.RunFailed(logger, ex.Message);
            return 1;
        }
        finally
        {
            await StopAsync(running, backends, logger);
            Directory.Delete(registry, recursive: true);
        }
    }

    private async Task<RunningApp> StartSidecarAsync(
        RunApp app, IReadOnlyDictionary<string, string> backendVariables, string registry, PortPicker ports, CancellationToken cancellationToken)
    {
        var stamp = DateTime.Now.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
        var logs = Path.Combine(app.AppDirPath, ".dapr", "logs");
        var daprOutput = new LineOutput($"== DAPR - {app.AppId} == ", writeLine, app.DaprdLogDestination, Path.Combine(logs, $"{app.AppId}_daprd_{stamp}.log"));
        // No command, no app log file (the CLI runs the sidecar alone).
        var appOutput = new LineOutput($"== APP - {app.AppId} == ", writeLine, app.AppLogDestination, app.Command.Count == 0 ? null : Path.Combine(logs, $"{app.AppId}_app_{stamp}.log"));

        // What the sidecar sees for envRef/secretstores.local.env: the app's env, the backends' addresses, then ours.
        var variables = new Dictionary<string, string>(backendVariables, StringComparer.Ordinal);
        foreach (var (key, value) in app.Env)
        {
            variables[key] = value;
        }

        string? Lookup(string name) => variables.TryGetValue(name, out var value) ? value : environment(name);
        var options = new SidecarOptions
        {
            AppId = app.AppId,
            AppPort = app.AppPort,
            AppChannelAddress = app.AppChannelAddress,
            HttpPort = app.DaprHttpPort ?? ports.Next(),
            GrpcPort = app.DaprGrpcPort ?? ports.Next(),
            ResourcesPaths = app.ResourcesPaths,
            ConfigFile = app.ConfigFile,
            LogLevel = app.LogLevel,
            ApiToken = NullIfEmpty(Lookup("DAPR_API_TOKEN")),
            AppApiToken = NullIfEmpty(Lookup("APP_API_TOKEN")),
            Namespace = NullIfEmpty(Lookup("NAMESPACE")),
            RegistryDirectory = registry,
            DataDirectory = Path.Combine(runFile.Directory, ".data", "sidecar", app.AppId),
            OutboxRelayDelay = runFile.OutboxDelay ?? TimeSpan.FromSeconds(1),
            Faults = runFile.Faults.GetValueOrDefault(app.AppId),
            EnvironmentLookup = Lookup,
        };

        SidecarHost host;
        try
        {
            host = await SidecarHost.StartAsync(
                options,
                logging => logging
                    .AddProvider(new LineLoggerProvider(daprOutput.WriteLine, withCategory: false))
                    .AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning),
                cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            appOutput.Dispose();
            daprOutput.Dispose();
            throw new SidecarStartException($"the sidecar of app '{app.AppId}' did not start: {ex.Message}", ex);
        }

        // The sidecar keeps reading its lookup (local.env secrets); the app gets a copy plus its ports.
        var appVariables = new Dictionary<string, string>(variables, StringComparer.Ordinal);
        foreach (var (key, value) in AppEnvironment(app, host.Options))
        {
            appVariables[key] = value;
        }

        return new RunningApp(app, host, appVariables, appOutput, daprOutput);
    }

    /// <summary>The variables the Dapr CLI sets for an app (its ports, id and protocol); the app's own env wins for the rest.</summary>
    private static Dictionary<string, string> AppEnvironment(RunApp app, SidecarOptions sidecar)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["APP_ID"] = app.AppId,
            ["APP_CHANNEL_ADDRESS"] = app.AppChannelAddress,
            ["APP_PROTOCOL"] = app.AppProtocol,
            ["DAPR_HTTP_PORT"] = sidecar.HttpPort.ToString(CultureInfo.InvariantCulture),
            ["DAPR_GRPC_PORT"] = sidecar.GrpcPort.ToString(CultureInfo.InvariantCulture),
        };
        if (app.AppPort is { } port)
        {
            result["APP_PORT"] = port.ToString(CultureInfo.InvariantCulture);
            if (!app.Env.ContainsKey("ASPNETCORE_URLS"))
            {
                // ASP.NET Core apps then listen where the sidecar expects them without code of their own.
                result["ASPNETCORE_URLS"] = $"http://localhost:{port}";
            }
        }

        return result;
    }

    private void PrintTable(List<RunningApp> apps)
    {
        string[] header = ["APP ID", "APP PORT", "DAPR HTTP PORT", "DAPR GRPC PORT", "APP URL", "COMMAND"];
        var rows = apps.Select(a => new[]
        {
            a.App.AppId,
            a.App.AppPort?.ToString(CultureInfo.InvariantCulture) ?? "-",
            a.Sidecar.Options.HttpPort.ToString(CultureInfo.InvariantCulture),
            a.Sidecar.Options.GrpcPort.ToString(CultureInfo.InvariantCulture),
            a.App.AppPort is { } port ? $"http://{a.App.AppChannelAddress}:{port}" : "-",
            a.App.Command.Count == 0 ? "(sidecar only)" : string.Join(' ', a.App.Command),
        }).ToList();
        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        string Format(string[] cells) => string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i])));
        writeLine(Format(header));
        foreach (var row in rows)
        {
            writeLine(Format(row));
        }
    }

    private static void StartApp(RunningApp app, ILogger logger, TaskCompletionSource<string> failure, bool restart, CancellationToken stopping)
    {
        if (app.App.Command.Count == 0)
        {
            return;
        }

        try
        {
            app.Process = ChildProcess.Start(app.App.Command, app.App.AppDirPath, app.Environment, app.AppOutput.WriteLine);
        }
        catch (ChildProcessStartException ex)
        {
            throw new ChildProcessStartException($"app '{app.App.AppId}' failed to start: {ex.Message}", ex);
        }

        RunnerLog.AppStarted(logger, app.App.AppId, app.Process.Pid, string.Join(' ', app.App.Command));
        _ = ReportExitAsync(app, logger, failure, restart, stopping);
    }

    private static async Task ReportExitAsync(RunningApp app, ILogger logger, TaskCompletionSource<string> failure, bool restart, CancellationToken stopping)
    {
        var process = app.Process!;
        var exitCode = await process.Exited;
        // Ctrl+C in a terminal signals the whole process group: the apps may exit before our own handler runs.
        try
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500), stopping);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (app.Stopping)
        {
            return;
        }

        if (!restart)
        {
            failure.TrySetResult($"app '{app.App.AppId}' exited with code {exitCode}");
            return;
        }

        // Like a restarted container: the sidecar (and everything it holds) stays, the app comes back with the same command.
        RunnerLog.AppRestarting(logger, app.App.AppId, exitCode);
        await process.DisposeAsync();
        try
        {
            StartApp(app, logger, failure, restart, stopping);
        }
        catch (ChildProcessStartException ex)
        {
            failure.TrySetResult(ex.Message);
            return;
        }

        if (app.Stopping)
        {
            // The run began stopping while we restarted: do not leave the new process behind.
            await app.Process!.StopAsync(TimeSpan.FromSeconds(5));
        }
    }

    /// <summary>
    /// A sidecar that stops on its own (its Shutdown API, or a background service that failed) leaves its app without
    /// Dapr: that ends the run like an exited app, instead of the app running on beside nothing.
    /// </summary>
    private static async Task ReportSidecarStopAsync(RunningApp app, TaskCompletionSource<string> failure, CancellationToken stopping)
    {
        await app.Sidecar.Stopped;
        if (!stopping.IsCancellationRequested && !app.Stopping)
        {
            failure.TrySetResult(app.Sidecar.Failure is { } error
                ? $"the sidecar of app '{app.App.AppId}' stopped: {error.Message}"
                : $"the sidecar of app '{app.App.AppId}' stopped");
        }
    }

    /// <summary>Reports when the app answers its appHealthCheckPath (2xx), or accepts TCP on its port when none is set.</summary>
    private static async Task WatchHealthAsync(RunningApp app, TimeSpan timeout, ILogger logger, TaskCompletionSource<string> failure, CancellationToken cancellationToken)
    {
        var port = app.App.AppPort!.Value;
        var check = app.App.AppHealthCheckPath is { } path ? $"GET {path}" : $"TCP port {port}";
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        try
        {
            while (!await IsHealthyAsync(http, app.App, port, cancellationToken))
            {
                if (app.Process!.Exited.IsCompleted)
                {
                    return;
                }

                if (DateTime.UtcNow > deadline)
                {
                    failure.TrySetResult($"app '{app.App.AppId}' did not become healthy ({check}) within {timeout.TotalSeconds:0.#} s");
                    return;
                }

                await Task.Delay(200, cancellationToken);
            }

            RunnerLog.AppHealthy(logger, app.App.AppId, check);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The run is stopping; nothing left to report.
        }
    }

    private static async Task<bool> IsHealthyAsync(HttpClient http, RunApp app, int port, CancellationToken cancellationToken)
    {
        try
        {
            if (app.AppHealthCheckPath is { } path)
            {
                using var response = await http.GetAsync(new Uri($"http://{app.AppChannelAddress}:{port}{path}"), cancellationToken);
                return response.IsSuccessStatusCode;
            }

            using var client = new TcpClient();
            await client.ConnectAsync(app.AppChannelAddress, port, cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private async Task StopAsync(List<RunningApp> apps, BackendServers? backends, ILogger logger)
    {
        RunnerLog.Stopping(logger, apps.Count);
        var grace = Duration(environment("SIDECAR_APP_STOP_GRACE"), "SIDECAR_APP_STOP_GRACE") ?? DefaultStopGrace;
        await Task.WhenAll(apps.Select(async app =>
        {
            app.Stopping = true;
            if (app.Process is not null && !await app.Process.StopAsync(grace))
            {
                RunnerLog.KillingApp(logger, app.App.AppId, grace.TotalSeconds);
            }
        }));

        // Sidecars after their apps, as the Dapr CLI does, so an app's last calls still reach its sidecar.
        foreach (var app in apps)
        {
            await app.Sidecar.DisposeAsync();
            if (app.Process is not null)
            {
                await app.Process.DisposeAsync();
            }

            app.AppOutput.Dispose();
            app.DaprOutput.Dispose();
        }

        if (backends is not null)
        {
            await backends.DisposeAsync();
        }

        RunnerLog.Stopped(logger);
    }

    /// <summary>A duration setting: whole seconds ("60") or a Go duration ("90s", "2m").</summary>
    private static TimeSpan? Duration(string? text, string name)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        return Resources.GoDuration.TryParse(text, out var duration) && duration > TimeSpan.Zero
            ? duration
            : throw new RunnerException($"{name}: '{text}' is not a duration (seconds, or e.g. 90s)");
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private sealed class RunningApp(RunApp app, SidecarHost sidecar, IReadOnlyDictionary<string, string> environment, LineOutput appOutput, LineOutput daprOutput)
    {
        public RunApp App { get; } = app;

        public SidecarHost Sidecar { get; } = sidecar;

        public IReadOnlyDictionary<string, string> Environment { get; } = environment;

        public LineOutput AppOutput { get; } = appOutput;

        public LineOutput DaprOutput { get; } = daprOutput;

        public ChildProcess? Process { get; set; }

        public volatile bool Stopping;
    }
}

public sealed class SidecarStartException(string message, Exception inner) : Exception(message, inner);

/// <summary>A run that cannot start (a backend, a setting): the message says what and how to fix it.</summary>
public sealed class RunnerException(string message) : Exception(message);
