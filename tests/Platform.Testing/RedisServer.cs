using System.Diagnostics;
using StackExchange.Redis;

namespace Platform.Testing;

/// <summary>
/// A throwaway redis-server (Debian package) on a free loopback port, without persistence, removed on dispose.
/// PLATFORM_TEST_REDIS (host:port) names an existing server instead.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private static readonly string[] BinaryCandidates = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"];
    private readonly Process? _process;
    private readonly string? _directory;
    private readonly Lazy<ConnectionMultiplexer> _connection;

    private RedisServer(string address, Process? process, string? directory)
    {
        Address = address;
        _process = process;
        _directory = directory;
        _connection = new Lazy<ConnectionMultiplexer>(() => ConnectionMultiplexer.Connect($"{Address},allowAdmin=true"));
    }

    /// <summary>host:port, the form Dapr's redisHost takes.</summary>
    public string Address { get; }

    /// <summary>A client for tests that read the physical layout directly.</summary>
    public IDatabase Database => _connection.Value.GetDatabase();

    public IServer Server => _connection.Value.GetServer(Address);

    public static async Task<RedisServer> StartAsync()
    {
        if (Environment.GetEnvironmentVariable("PLATFORM_TEST_REDIS") is { Length: > 0 } existing)
        {
            return new RedisServer(existing, null, null);
        }

        var binary = BinaryCandidates.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException(ProcessRunner.MissingBinaryMessage("Redis 7", "redis-server"));
        var directory = Directory.CreateTempSubdirectory("platform-redis-").FullName;
        var port = ProcessRunner.FreePort();
        var info = new ProcessStartInfo(binary)
        {
            ArgumentList = { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory, "--daemonize", "no", "--loglevel", "warning" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start redis-server");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await ProcessRunner.WaitForPortAsync(port, TimeSpan.FromSeconds(10));
        return new RedisServer($"127.0.0.1:{port}", process, directory);
    }

    /// <summary>
    /// Freezes the server (SIGSTOP) for a while and lets it go on (SIGCONT): a stalled Redis whose clients time out
    /// and whose connections survive, unlike a restart.
    /// </summary>
    public async Task StallAsync(TimeSpan duration)
    {
        var process = _process ?? throw new InvalidOperationException("Only a server started by the tests can be stalled; unset PLATFORM_TEST_REDIS.");
        await ProcessRunner.RunAsync("kill", ["-STOP", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        try
        {
            await Task.Delay(duration);
        }
        finally
        {
            await ProcessRunner.RunAsync("kill", ["-CONT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection.IsValueCreated)
        {
            await _connection.Value.DisposeAsync();
        }

        if (_process is not null)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            _process.Dispose();
        }

        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
