using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace Sidecar.Runner;

/// <summary>
/// The PostgreSQL 15 and Redis 7 servers a run asks for (<c>x-sidecar.backends</c> or SIDECAR_BACKENDS), started
/// from the Debian packages' binaries with their data under <c>&lt;run file folder&gt;/.data/</c> (kept between runs),
/// or taken from PLATFORM_POSTGRES (Npgsql connection string) / PLATFORM_REDIS (host:port). Their addresses reach
/// every sidecar and app as environment variables (see <see cref="Variables"/>), so components can use
/// <c>secretKeyRef</c> through a <c>secretstores.local.env</c> store.
/// </summary>
internal sealed class BackendServers : IAsyncDisposable
{
    public const string PostgresHost = "PLATFORM_POSTGRES_HOST";
    public const string PostgresPort = "PLATFORM_POSTGRES_PORT";
    public const string PostgresUser = "PLATFORM_POSTGRES_USER";
    public const string PostgresPassword = "PLATFORM_POSTGRES_PASSWORD";
    public const string PostgresConnection = "PLATFORM_POSTGRES_CONNECTION";
    public const string RedisHost = "PLATFORM_REDIS_HOST";

    private const string PostgresBinDefault = "/usr/lib/postgresql/15/bin";
    private static readonly string[] RedisCandidates = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"];

    private readonly Dictionary<string, string> _variables = new(StringComparer.Ordinal);
    private readonly ILogger _logger;
    private readonly PortPicker _ports;
    private string? _postgresData;
    private string? _postgresBin;
    private ChildProcess? _redis;

    private BackendServers(ILogger logger, PortPicker ports)
    {
        _logger = logger;
        _ports = ports;
    }

    /// <summary>The variables exported to sidecars and apps.</summary>
    public IReadOnlyDictionary<string, string> Variables => _variables;

    private static bool IsRoot => Environment.UserName == "root";

    /// <summary>SIDECAR_BACKENDS (comma-separated; empty = none) overrides the run file's list.</summary>
    public static IReadOnlyList<Backend> Requested(RunFile runFile, Func<string, string?> environment)
    {
        if (environment("SIDECAR_BACKENDS") is not { } text)
        {
            return runFile.Backends;
        }

        return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(name => RunFileParser.ParseBackend(name) ?? throw new RunnerException($"SIDECAR_BACKENDS: '{name}' is not a backend (postgres, redis)"))
            .Distinct()
            .ToList();
    }

    public static async Task<BackendServers> StartAsync(
        IReadOnlyList<Backend> backends, IReadOnlyList<string> databases, string runDirectory, Func<string, string?> environment, PortPicker ports, ILogger logger, CancellationToken cancellationToken)
    {
        var servers = new BackendServers(logger, ports);
        try
        {
            var external = backends.Where(b => environment(ExternalVariable(b)) is { Length: > 0 }).ToList();
            await EnsureInstalledAsync(backends.Except(external).ToList(), runDirectory, environment, logger, cancellationToken);
            foreach (var backend in backends)
            {
                if (backend == Backend.Postgres)
                {
                    await servers.StartPostgresAsync(Path.Combine(runDirectory, ".data", "postgres"), environment, cancellationToken);
                    await servers.CreateDatabasesAsync(databases, cancellationToken);
                }
                else
                {
                    await servers.StartRedisAsync(Path.Combine(runDirectory, ".data", "redis"), environment, cancellationToken);
                }
            }

            return servers;
        }
        catch
        {
            await servers.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_redis is not null)
        {
            // SIGTERM makes redis-server write its append-only file and exit cleanly.
            await _redis.StopAsync(TimeSpan.FromSeconds(10));
            await _redis.DisposeAsync();
            _redis = null;
        }

        if (_postgresData is not null && _postgresBin is not null)
        {
            NpgsqlConnection.ClearAllPools();
            var pgCtl = Path.Combine(_postgresBin, "pg_ctl");
            try
            {
                await RunAsync(pgCtl, ["-D", _postgresData, "-m", "fast", "-w", "stop"], PostgresRunAs(), TimeSpan.FromSeconds(60), CancellationToken.None);
            }
            catch (RunnerException)
            {
                // Already stopped (e.g. someone signalled it directly) is what we wanted; still running is a failure.
                if (await TryRunAsync(pgCtl, ["-D", _postgresData, "status"], PostgresRunAs(), CancellationToken.None))
                {
                    throw;
                }
            }

            _postgresData = null;
        }
    }

    private async Task StartPostgresAsync(string dataDirectory, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        if (environment("PLATFORM_POSTGRES") is { Length: > 0 } existing)
        {
            NpgsqlConnectionStringBuilder builder;
            try
            {
                builder = new NpgsqlConnectionStringBuilder(existing);
            }
            catch (ArgumentException ex)
            {
                throw new RunnerException($"PLATFORM_POSTGRES: not an Npgsql connection string (Host=…;Port=…;Username=…): {ex.Message}");
            }

            ExportPostgres(builder.Host ?? "127.0.0.1", builder.Port, builder.Username ?? "postgres", builder.Password, builder.Database ?? "postgres");
            RunnerLog.BackendExternal(_logger, "postgres", $"{builder.Host}:{builder.Port}", "PLATFORM_POSTGRES");
            return;
        }

        var bin = PostgresBin(environment) ?? throw new RunnerException($"PostgreSQL 15 binaries not found in {PostgresBinDefault}");
        Directory.CreateDirectory(dataDirectory);
        var runAs = PostgresRunAs();
        if (runAs is not null)
        {
            // PostgreSQL refuses to run as root: the package's postgres user owns the cluster.
            await RunAsync("chown", ["-R", "postgres:postgres", dataDirectory], null, TimeSpan.FromSeconds(60), cancellationToken);
        }

        if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            await RunAsync(Path.Combine(bin, "initdb"), ["-D", dataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8"], runAs, TimeSpan.FromMinutes(2), cancellationToken);
        }

        int port;
        var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
        if (File.Exists(pidFile) && await TryRunAsync(Path.Combine(bin, "pg_ctl"), ["-D", dataDirectory, "status"], runAs, cancellationToken))
        {
            // A server left running by an earlier run that was killed: reuse it (its port is line 4 of postmaster.pid).
            port = int.Parse(File.ReadLines(pidFile).ElementAt(3), CultureInfo.InvariantCulture);
        }
        else
        {
            port = _ports.Next();
            // Unix sockets have a ~107-byte path limit; a deep run folder falls back to the temp folder.
            var socketDirectory = dataDirectory.Length < 80 ? dataDirectory : Path.GetTempPath().TrimEnd('/');
            var serverOptions = $"-p {port} -k {socketDirectory} -c listen_addresses=127.0.0.1";
            await RunAsync(
                Path.Combine(bin, "pg_ctl"),
                ["-D", dataDirectory, "-o", serverOptions, "-l", Path.Combine(dataDirectory, "server.log"), "-w", "-t", "60", "start"],
                runAs,
                TimeSpan.FromSeconds(90),
                cancellationToken);
        }

        _postgresData = dataDirectory;
        _postgresBin = bin;
        ExportPostgres("127.0.0.1", port, "postgres", null, "postgres");
        RunnerLog.BackendStarted(_logger, "postgres", $"127.0.0.1:{port}", dataDirectory);
    }

    /// <summary>Per-service databases, created when missing and exported as PLATFORM_POSTGRES_&lt;NAME&gt;_CONNECTION.</summary>
    private async Task CreateDatabasesAsync(IReadOnlyList<string> databases, CancellationToken cancellationToken)
    {
        if (databases.Count == 0)
        {
            return;
        }

        var server = _variables[PostgresConnection];
        await using var connection = new NpgsqlConnection(ToNpgsql(server, "postgres"));
        await connection.OpenAsync(cancellationToken);
        foreach (var database in databases)
        {
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection) { Parameters = { new() { Value = database } } };
            if (await exists.ExecuteScalarAsync(cancellationToken) is null)
            {
                // The name was validated as [a-z][a-z0-9]* by the run-file parser, so quoting it is safe.
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
                await create.ExecuteNonQueryAsync(cancellationToken);
            }

            _variables[DatabaseConnectionVariable(database)] = ReplaceDatabase(server, database);
        }

        RunnerLog.DatabasesReady(_logger, string.Join(", ", databases));
    }

    /// <summary>The variable a component's <c>secretKeyRef</c> names for one service's database.</summary>
    public static string DatabaseConnectionVariable(string database) =>
        $"PLATFORM_POSTGRES_{database.ToUpperInvariant()}_CONNECTION";

    private static string ReplaceDatabase(string libpq, string database) =>
        System.Text.RegularExpressions.Regex.Replace(libpq, @"database=\S+", "database=" + database);

    private static string ToNpgsql(string libpq, string database)
    {
        var parts = libpq.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = parts["host"],
            Port = int.Parse(parts["port"], CultureInfo.InvariantCulture),
            Username = parts["user"],
            Database = database,
            Pooling = false,
        };
        if (parts.TryGetValue("password", out var password))
        {
            builder.Password = password;
        }

        return builder.ConnectionString;
    }

    private void ExportPostgres(string host, int port, string user, string? password, string database)
    {
        _variables[PostgresHost] = host;
        _variables[PostgresPort] = port.ToString(CultureInfo.InvariantCulture);
        _variables[PostgresUser] = user;
        _variables[PostgresPassword] = password ?? "";
        // libpq key=value form: what Dapr's state.postgresql connectionString takes.
        var passwordPart = string.IsNullOrEmpty(password) ? "" : $" password={password}";
        _variables[PostgresConnection] = $"host={host} port={port} user={user}{passwordPart} database={database}";
    }

    private async Task StartRedisAsync(string dataDirectory, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        if (environment("PLATFORM_REDIS") is { Length: > 0 } existing)
        {
            _variables[RedisHost] = existing;
            RunnerLog.BackendExternal(_logger, "redis", existing, "PLATFORM_REDIS");
            return;
        }

        var binary = RedisCandidates.FirstOrDefault(File.Exists) ?? throw new RunnerException("redis-server not found");
        Directory.CreateDirectory(dataDirectory);
        var port = _ports.Next();
        var output = new StringBuilder();
        string[] command =
        [
            binary, "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", dataDirectory,
            "--appendonly", "yes", "--daemonize", "no", "--loglevel", "warning",
        ];
        _redis = ChildProcess.Start(command, dataDirectory, new Dictionary<string, string>(), line =>
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        });

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await CanConnectAsync(port, cancellationToken))
        {
            if (_redis.Exited.IsCompleted || DateTime.UtcNow > deadline)
            {
                string text;
                lock (output)
                {
                    text = output.ToString();
                }

                throw new RunnerException($"redis-server did not start on port {port}:\n{text}");
            }

            await Task.Delay(50, cancellationToken);
        }

        _variables[RedisHost] = $"127.0.0.1:{port}";
        RunnerLog.BackendStarted(_logger, "redis", $"127.0.0.1:{port}", dataDirectory);
    }

    private static async Task EnsureInstalledAsync(
        List<Backend> local, string runDirectory, Func<string, string?> environment, ILogger logger, CancellationToken cancellationToken)
    {
        var missing = new List<string>();
        if (local.Contains(Backend.Postgres) && PostgresBin(environment) is null)
        {
            missing.Add("postgresql");
        }

        if (local.Contains(Backend.Redis) && !RedisCandidates.Any(File.Exists))
        {
            missing.Add("redis-server");
        }

        if (missing.Count == 0)
        {
            return;
        }

        var script = FindInstallScript(runDirectory);
        var command = script is not null ? $"bash {script}" : $"apt-get install -y --no-install-recommends {string.Join(' ', missing)}";
        if (!IsRoot || script is null)
        {
            throw new RunnerException(
                $"{string.Join(" and ", missing)} not installed; install with `sudo {command}`, or point the run at running servers " +
                "with PLATFORM_POSTGRES (an Npgsql connection string) / PLATFORM_REDIS (host:port)");
        }

        RunnerLog.InstallingPackages(logger, command);
        await RunAsync("bash", [script], null, TimeSpan.FromMinutes(15), cancellationToken);
    }

    private static string? FindInstallScript(string runDirectory)
    {
        for (var directory = new DirectoryInfo(runDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "scripts", "install-test-deps.sh");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static string? PostgresBin(Func<string, string?> environment) =>
        new[] { environment("PLATFORM_PG_BIN"), PostgresBinDefault }
            .FirstOrDefault(c => c is not null && File.Exists(Path.Combine(c, "initdb")) && File.Exists(Path.Combine(c, "pg_ctl")));

    private static string? PostgresRunAs() => IsRoot ? "postgres" : null;

    private static string ExternalVariable(Backend backend) => backend == Backend.Postgres ? "PLATFORM_POSTGRES" : "PLATFORM_REDIS";

    private static async Task<bool> CanConnectAsync(int port, CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static async Task<bool> TryRunAsync(string fileName, IReadOnlyList<string> arguments, string? runAs, CancellationToken cancellationToken)
    {
        try
        {
            await RunAsync(fileName, arguments, runAs, TimeSpan.FromSeconds(30), cancellationToken);
            return true;
        }
        catch (RunnerException)
        {
            return false;
        }
    }

    /// <summary>Runs a command to completion; a failure throws with the command's output.</summary>
    private static async Task RunAsync(string fileName, IReadOnlyList<string> arguments, string? runAs, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var info = runAs is null ? new ProcessStartInfo(fileName) : new ProcessStartInfo("runuser", ["-u", runAs, "--", fileName]);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        using var process = Process.Start(info) ?? throw new RunnerException($"could not start {fileName}");
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(timeoutSource.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            cancellationToken.ThrowIfCancellationRequested();
            throw new RunnerException($"{fileName} {string.Join(' ', info.ArgumentList)} timed out after {timeout.TotalSeconds:0} s:\n{output}");
        }

        if (process.ExitCode != 0)
        {
            throw new RunnerException($"{fileName} {string.Join(' ', info.ArgumentList)} exited with {process.ExitCode}:\n{output}");
        }
    }
}
