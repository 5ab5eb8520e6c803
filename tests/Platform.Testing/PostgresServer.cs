using Npgsql;

namespace Platform.Testing;

/// <summary>
/// A throwaway PostgreSQL 15 cluster from the Debian package's binaries (initdb/pg_ctl) in a temporary
/// directory on a free loopback port, removed on dispose. PostgreSQL refuses to run as root, so under root
/// the binaries run as the package's postgres user. PLATFORM_TEST_POSTGRES names an existing server instead.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly string? _dataDirectory;
    private readonly string? _binDirectory;
    private int _databaseCounter;

    private readonly string? _serverOptions;
    private bool _running;

    private PostgresServer(string adminConnectionString, string? dataDirectory, string? binDirectory, string? serverOptions)
    {
        AdminConnectionString = adminConnectionString;
        _dataDirectory = dataDirectory;
        _binDirectory = binDirectory;
        _serverOptions = serverOptions;
    }

    /// <summary>Connection string for the maintenance database (user postgres, trust auth).</summary>
    public string AdminConnectionString { get; }

    /// <summary>The postmaster's process id (its backends are its children), for benchmarks that count its CPU; null for an existing server.</summary>
    public int? ServerProcessId
    {
        get
        {
            var pidFile = _dataDirectory is null ? null : Path.Combine(_dataDirectory, "postmaster.pid");
            return pidFile is not null && File.Exists(pidFile) ? int.Parse(File.ReadLines(pidFile).First(), System.Globalization.CultureInfo.InvariantCulture) : null;
        }
    }

    /// <param name="durable">fsync and synchronous_commit on, as benchmarks need; tests run without for speed.</param>
    public static async Task<PostgresServer> StartAsync(bool durable = false)
    {
        if (Environment.GetEnvironmentVariable("PLATFORM_TEST_POSTGRES") is { Length: > 0 } existing)
        {
            return new PostgresServer(existing, null, null, null);
        }

        var bin = FindBinDirectory() ?? throw new InvalidOperationException(ProcessRunner.MissingBinaryMessage("PostgreSQL 15", "/usr/lib/postgresql/15/bin/initdb"));
        var runAs = ProcessRunner.IsRoot ? "postgres" : null;
        var dataDirectory = Directory.CreateTempSubdirectory("platform-pg-").FullName;
        if (runAs is not null)
        {
            await ProcessRunner.RunAsync("chown", ["-R", "postgres:postgres", dataDirectory]);
        }

        var port = ProcessRunner.FreePort();
        await ProcessRunner.RunAsync(Path.Combine(bin, "initdb"), ["-D", dataDirectory, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"], runAs);
        // Tests trade durability for speed (fsync off); the benchmarks run with fsync on.
        var durability = durable ? "-c fsync=on -c synchronous_commit=on" : "-c fsync=off -c synchronous_commit=off -c full_page_writes=off";
        var serverOptions = $"-p {port} -k {dataDirectory} -c listen_addresses=127.0.0.1 {durability} -c max_connections=300";
        var server = new PostgresServer($"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=true", dataDirectory, bin, serverOptions);
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>
    /// Stops the server, keeping its data, until <see cref="StartAgainAsync"/>: a database outage, in which
    /// clients fail at once (connection refused) instead of hanging.
    /// </summary>
    public async Task StopAsync()
    {
        var (dataDirectory, bin) = OwnServer();
        await ProcessRunner.RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", dataDirectory, "-m", "fast", "-w", "stop"], ProcessRunner.IsRoot ? "postgres" : null);
        _running = false;
    }

    /// <summary>Starts a server stopped by <see cref="StopAsync"/> again, on the same port with the same data.</summary>
    public async Task StartAgainAsync()
    {
        var (dataDirectory, bin) = OwnServer();
        await ProcessRunner.RunAsync(
            Path.Combine(bin, "pg_ctl"), ["-D", dataDirectory, "-o", _serverOptions!, "-l", Path.Combine(dataDirectory, "server.log"), "-w", "start"], ProcessRunner.IsRoot ? "postgres" : null);
        _running = true;
    }

    /// <summary>Creates a fresh database and returns its connection string in libpq key=value form (what Dapr components take).</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "db")
    {
        var name = $"{prefix}_{Environment.ProcessId}_{Interlocked.Increment(ref _databaseCounter)}_{Guid.NewGuid():N}"[..40].ToLowerInvariant();
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using (var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection))
        {
            await command.ExecuteNonQueryAsync();
        }

        var builder = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name };
        return $"host={builder.Host} port={builder.Port} user={builder.Username} database={name}";
    }

    /// <summary>An Npgsql connection string for a database created by <see cref="CreateDatabaseAsync"/>.</summary>
    public string NpgsqlConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = database }.ConnectionString;

    public async ValueTask DisposeAsync()
    {
        if (_dataDirectory is null || _binDirectory is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        try
        {
            if (_running)
            {
                await ProcessRunner.RunAsync(Path.Combine(_binDirectory, "pg_ctl"), ["-D", _dataDirectory, "-m", "immediate", "-w", "stop"], ProcessRunner.IsRoot ? "postgres" : null);
            }
        }
        finally
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    private (string DataDirectory, string BinDirectory) OwnServer() =>
        _dataDirectory is not null && _binDirectory is not null
            ? (_dataDirectory, _binDirectory)
            : throw new InvalidOperationException("Only a server started by the tests can be stopped; unset PLATFORM_TEST_POSTGRES.");

    private static string? FindBinDirectory()
    {
        var candidates = new[] { Environment.GetEnvironmentVariable("PLATFORM_PG_BIN"), "/usr/lib/postgresql/15/bin" };
        return candidates.FirstOrDefault(c => c is not null && File.Exists(Path.Combine(c, "initdb")) && File.Exists(Path.Combine(c, "pg_ctl")));
    }
}
