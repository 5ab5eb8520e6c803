using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Platform.Testing;

namespace Sidecar.Tests.Runner;

/// <summary><c>dotnet Sidecar.dll run -f …</c> as a real process: the command line, exit codes and SIGTERM.</summary>
public sealed class RunCommandTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("runcmd-");
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly List<Process> _started = [];

    public void Dispose()
    {
        // A failed assertion must not leave a runner (and its apps) behind.
        foreach (var process in _started)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }

            process.Dispose();
        }

        _root.Delete(recursive: true);
    }

    [Fact]
    public async Task RunCommand_SigTerm_StopsTheAppsAndExitsZero()
    {
        Directory.CreateDirectory(Path.Combine(_root.FullName, "sleeper"));
        File.WriteAllText(Path.Combine(_root.FullName, "dapr.yaml"), """
            version: 1
            apps:
              - appDirPath: sleeper
                command: ["sh", "-c", "echo pid=$$; exec sleep 300"]
            """);
        var runner = Start("run", "-f", _root.FullName);

        var line = await Eventually.MatchAsync(
            () => _lines.FirstOrDefault(l => l.StartsWith("== APP - sleeper == pid=", StringComparison.Ordinal)) ?? "",
            l => l.Length > 0 || runner.HasExited,
            TimeSpan.FromSeconds(60),
            "the app's first line");
        Assert.False(runner.HasExited, string.Join('\n', _lines));
        var appPid = int.Parse(line.Split("pid=")[1], CultureInfo.InvariantCulture);

        using (var kill = Process.Start("kill", ["-TERM", runner.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        await runner.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Equal(0, runner.ExitCode);
        Assert.False(File.Exists($"/proc/{appPid}/stat"), $"app pid {appPid} is gone");
        Assert.Contains("info: Stopped", _lines);
    }

    [Fact]
    public async Task RunCommand_InvalidRunFile_ExitsOneNamingFileAndField()
    {
        var file = Path.Combine(_root.FullName, "broken.yaml");
        File.WriteAllText(file, "apps: []\n");
        var runner = Start("run", "-f", file);

        await runner.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(1, runner.ExitCode);
        Assert.Contains($"error in run file: {file}: version: is required (use version: 1)", _lines);
    }

    [Fact]
    public async Task RunCommand_WithoutRunFile_PrintsUsageAndExitsTwo()
    {
        var runner = Start("run");

        await runner.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(2, runner.ExitCode);
        Assert.Contains("error: -f is required", _lines);
        Assert.Contains(_lines, l => l.StartsWith("usage: sidecar run -f", StringComparison.Ordinal));
    }

    private Process Start(params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Sidecar.dll"));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start Sidecar.dll");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { _lines.Enqueue(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { _lines.Enqueue(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _started.Add(process);
        return process;
    }
}
