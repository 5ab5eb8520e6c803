using System.Collections.Concurrent;
using Platform.Testing;
using Sidecar.Runner;

namespace Sidecar.Tests.Runner;

/// <summary>A temporary run-file folder and an in-process <see cref="MultiAppRunner"/> whose output lines are collected.</summary>
internal sealed class RunHarness : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _lines = new();
    private CancellationTokenSource _stop = new();
    private Task<int>? _run;

    public DirectoryInfo Root { get; } = Directory.CreateTempSubdirectory("runner-");

    public IReadOnlyList<string> Lines => [.. _lines];

    public string Output => string.Join('\n', _lines);

    public string Folder(string relative) => Directory.CreateDirectory(Path.Combine(Root.FullName, relative)).FullName;

    public string Write(string relative, string content)
    {
        var path = Path.Combine(Root.FullName, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>Starts the runner on dapr.yaml (again after a stop); <paramref name="environment"/> replaces the process environment for the runner's settings.</summary>
    public Task<int> Start(IReadOnlyDictionary<string, string>? environment = null)
    {
        var runFile = RunFileParser.Parse(Root.FullName);
        var settings = environment ?? new Dictionary<string, string>();
        string? Lookup(string name) => settings.TryGetValue(name, out var value) ? value : null;
        var runner = new MultiAppRunner(runFile, _lines.Enqueue, Lookup);
        // A new token per run: the same folder can be run again after a stop (persistence tests).
        _stop.Dispose();
        _stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        _run = Task.Run(() => runner.RunAsync(_stop.Token), TestContext.Current.CancellationToken);
        return _run;
    }

    /// <summary>The first output line matching (among those after the first <paramref name="skip"/>), once it appears.</summary>
    public Task<string> WaitForLineAsync(Func<string, bool> match, string description, double seconds = 30, int skip = 0) =>
        Eventually.MatchAsync(
            () => _lines.Skip(skip).FirstOrDefault(match) ?? (_run!.IsCompleted ? throw new InvalidOperationException($"runner ended ({_run.Result}) before: {description}\n{Output}") : ""),
            line => line.Length > 0,
            TimeSpan.FromSeconds(seconds),
            description);

    public async Task<int> StopAsync()
    {
        await _stop.CancelAsync();
        return await _run!;
    }

    public async ValueTask DisposeAsync()
    {
        if (_run is not null && !_run.IsCompleted)
        {
            await StopAsync();
        }

        _stop.Dispose();
        Root.Delete(recursive: true);
    }
}
