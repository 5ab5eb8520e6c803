using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace Sidecar.Runner;

/// <summary>
/// A child process of the run (an app, or redis-server): its stdout and stderr go line by line to a callback,
/// and stopping it sends SIGTERM to the whole tree first (a shell's children too), then kills what is left
/// after the grace period.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ChildProcess(Process process)
    {
        _process = process;
        Exited = WaitForExitAsync();
    }

    public int Pid => _process.Id;

    /// <summary>Completes with the exit code when the process ends.</summary>
    public Task<int> Exited { get; }

    /// <exception cref="ChildProcessStartException">The program was not found or could not be executed.</exception>
    public static ChildProcess Start(
        IReadOnlyList<string> command,
        string workingDirectory,
        IReadOnlyDictionary<string, string> environment,
        Action<string> onLine)
    {
        var info = new ProcessStartInfo(ResolveProgram(command[0], workingDirectory))
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in command.Skip(1))
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { onLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { onLine(e.Data); } };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            process.Dispose();
            throw new ChildProcessStartException($"could not start '{command[0]}' in {workingDirectory}: {ex.Message}", ex);
        }

        // Apps get no console input, as under the Dapr CLI; closing stdin keeps readers from blocking forever.
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ChildProcess(process);
    }

    /// <summary>SIGTERM to the process tree, then a kill of whatever still runs after <paramref name="grace"/>. True when it stopped in time.</summary>
    public async Task<bool> StopAsync(TimeSpan grace)
    {
        if (Exited.IsCompleted)
        {
            return true;
        }

        var tree = ProcessTree(_process.Id);
        await SignalAsync("TERM", tree);

        var stoppedInTime = await Task.WhenAny(Exited, Task.Delay(grace)) == Exited;
        if (!stoppedInTime && !_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        // Children that outlived their parent (e.g. `sh -c 'a; b'` after SIGTERM) are no longer in its tree.
        await SignalAsync("KILL", tree.Where(p => p != _process.Id && IsAlive(p)).ToList());

        await Exited;
        return stoppedInTime;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(5));
        _process.Dispose();
    }

    private async Task<int> WaitForExitAsync()
    {
        // WaitForExitAsync also waits for the redirected streams to drain, so the last lines are not lost.
        await _process.WaitForExitAsync(CancellationToken.None);
        return _process.ExitCode;
    }

    private static string ResolveProgram(string program, string workingDirectory) =>
        // Like a shell in appDirPath: "./run.sh" or "bin/app" are relative to the app's folder, bare names use PATH.
        program.Contains('/', StringComparison.Ordinal) && !Path.IsPathRooted(program)
            ? Path.GetFullPath(program, workingDirectory)
            : program;

    /// <summary>The pid and all its descendants, read from /proc (Linux).</summary>
    private static List<int> ProcessTree(int root)
    {
        var result = new List<int> { root };
        for (var i = 0; i < result.Count; i++)
        {
            var taskDirectory = $"/proc/{result[i]}/task";
            if (!Directory.Exists(taskDirectory))
            {
                continue;
            }

            foreach (var task in Directory.EnumerateDirectories(taskDirectory))
            {
                string children;
                try
                {
                    children = File.ReadAllText(Path.Combine(task, "children"));
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // The task ended while we walked the tree: it has no children left to signal.
                    continue;
                }

                result.AddRange(children.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                    .Select(c => int.Parse(c, CultureInfo.InvariantCulture)));
            }
        }

        return result;
    }

    private static bool IsAlive(int pid)
    {
        // A zombie (exited, not yet reaped) still has a /proc entry; its state letter is Z.
        var status = $"/proc/{pid}/stat";
        try
        {
            var text = File.ReadAllText(status);
            var state = text[(text.LastIndexOf(')') + 2)..].FirstOrDefault();
            return state is not ('Z' or 'X');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>kill(1): .NET has no API to send SIGTERM to another process.</summary>
    private static async Task SignalAsync(string signal, List<int> pids)
    {
        if (pids.Count == 0)
        {
            return;
        }

        var info = new ProcessStartInfo("kill") { UseShellExecute = false, RedirectStandardError = true };
        info.ArgumentList.Add("-" + signal);
        foreach (var pid in pids)
        {
            info.ArgumentList.Add(pid.ToString(CultureInfo.InvariantCulture));
        }

        using var kill = Process.Start(info) ?? throw new InvalidOperationException("could not run kill");
        // Exit code 1 only means some of the processes had already exited, which is what we want anyway.
        await kill.StandardError.ReadToEndAsync(CancellationToken.None);
        await kill.WaitForExitAsync(CancellationToken.None);
    }
}

public sealed class ChildProcessStartException(string message, Exception inner) : Exception(message, inner);
