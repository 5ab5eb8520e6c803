using Platform.Testing;

namespace Platform.IntegrationTests.Infrastructure;

/// <summary>
/// Starts a service's real assembly as its own process with bad settings and returns what it printed when it
/// refused to start. A process, not WebApplicationFactory: when a minimal-API app fails fast, the factory can lose
/// the start exception to an ObjectDisposedException (it reads the services of a host the app already disposed).
/// </summary>
public static class RefusedStart
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <typeparam name="TMarker">Any public type of the service's assembly.</typeparam>
    public static async Task<string> OutputAsync<TMarker>(IReadOnlyDictionary<string, string> settings)
    {
        // Port 0: if the app wrongly starts, it must not collide with anything; the timeout then fails the test.
        string[] arguments = [typeof(TMarker).Assembly.Location, "--urls", "http://127.0.0.1:0", .. settings.Select(s => $"--{s.Key}={s.Value}")];
        try
        {
            var output = await ProcessRunner.RunAsync("dotnet", arguments, timeout: Timeout);
            throw new InvalidOperationException($"{typeof(TMarker).Assembly.GetName().Name} exited with 0 instead of refusing to start:\n{output}");
        }
        catch (InvalidOperationException error) when (error.Message.Contains(" exited with ", StringComparison.Ordinal) && !error.Message.Contains(" exited with 0 ", StringComparison.Ordinal))
        {
            return error.Message;
        }
    }
}
