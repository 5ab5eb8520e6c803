using System.Runtime.InteropServices;

namespace Sidecar.Runner;

/// <summary><c>Sidecar run -f &lt;file-or-folder&gt;</c>: the multi-app runner's command line, Ctrl+C and SIGTERM.</summary>
public static class RunCommand
{
    public const string Usage = """
        usage: sidecar run -f <dapr.yaml | folder holding dapr.yaml>
        environment: SIDECAR_BACKENDS (postgres,redis; overrides x-sidecar.backends), PLATFORM_POSTGRES (Npgsql
                     connection string) / PLATFORM_REDIS (host:port) to use running servers,
                     SIDECAR_APP_START_TIMEOUT (default 60 s), SIDECAR_APP_STOP_GRACE (default 5 s)
        """;

    public static bool Matches(IReadOnlyList<string> args) => args.Count > 0 && args[0] == "run";

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        string? file = null;
        for (var i = 1; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "-f" or "--run-file" when i + 1 < args.Count:
                    file = args[++i];
                    break;
                case var arg when arg.StartsWith("--run-file=", StringComparison.Ordinal):
                    file = arg["--run-file=".Length..];
                    break;
                default:
                    await Console.Error.WriteLineAsync($"error: unexpected argument '{args[i]}'\n{Usage}");
                    return 2;
            }
        }

        if (file is null)
        {
            await Console.Error.WriteLineAsync($"error: -f is required\n{Usage}");
            return 2;
        }

        RunFile runFile;
        try
        {
            runFile = RunFileParser.Parse(file);
        }
        catch (RunFileException ex)
        {
            await Console.Error.WriteLineAsync($"error in run file: {ex.Message}");
            return 1;
        }

        using var stop = new CancellationTokenSource();
        // Ctrl+C and SIGTERM stop the run cleanly instead of killing this process (and leaving apps behind).
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.Cancel(); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });
        var runner = new MultiAppRunner(runFile, Console.Out.WriteLine, Environment.GetEnvironmentVariable);
        return await runner.RunAsync(stop.Token);
    }
}
