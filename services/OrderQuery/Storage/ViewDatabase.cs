using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Npgsql;

namespace OrderQuery.Storage;

/// <summary>
/// The read side's PostgreSQL database (DESIGN §1.2's one exception: the views are queried with Npgsql, not
/// through Dapr). Owns the data source, the migrations and the schema-bound <see cref="ViewStore"/>s.
/// </summary>
internal sealed class ViewDatabase(IOptions<OrderQueryOptions> options, TimeProvider time, ILogger<ViewDatabase> logger) : IAsyncDisposable
{
    public const string SchemaPattern = "^[a-z_][a-z0-9_]{0,62}$";

    /// <summary>Room for every statement of the live schema and a rebuild's, with the migrations' one-off ones.</summary>
    private const int AutoPreparedStatements = 64;

    internal static readonly JsonSerializerOptions DocumentJson = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private readonly Lazy<NpgsqlDataSource> _dataSource = new(() =>
    {
        ConnectionStrings.TryToNpgsql(options.Value.ConnectionString!, out var npgsql, out _);
        var builder = new NpgsqlDataSourceBuilder(npgsql);
        // Every command here is one of a few fixed texts per schema, the summary read far more often than any other:
        // prepared on a connection once it ran twice there, PostgreSQL skips parsing and planning it from then on.
        // A connection string that sets its own Max Auto Prepare keeps it.
        if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0)
        {
            builder.ConnectionStringBuilder.MaxAutoPrepare = AutoPreparedStatements;
            builder.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
        }

        // A connection goes back to the pool as it is: Npgsql's reset would cost a statement per use, and no session
        // state is set here (the migrations' lock is transaction-scoped).
        builder.ConnectionStringBuilder.NoResetOnClose = true;
        return builder.Build();
    });

    public NpgsqlDataSource DataSource => _dataSource.Value;

    /// <summary>The live views.</summary>
    public ViewStore Live => Views(options.Value.Schema);

    public ViewStore Views(string schema) => new(DataSource, Quote(schema), time);

    /// <summary>
    /// Brings <paramref name="schema"/> to the latest migration. Idempotent, and safe when several replicas start at
    /// once: everything runs in one transaction under a transaction-scoped advisory lock keyed by the schema, so a
    /// second replica waits, then finds the versions applied and does nothing. Returns the versions it applied.
    /// </summary>
    public async Task<IReadOnlyList<int>> MigrateAsync(string schema, CancellationToken cancellationToken)
    {
        var quoted = Quote(schema);
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, "SELECT pg_advisory_xact_lock(hashtext('order-query-migrations:' || @schema))", cancellationToken, ("schema", schema));
        await ExecuteAsync(connection, $"""
            CREATE SCHEMA IF NOT EXISTS {quoted};
            CREATE TABLE IF NOT EXISTS {quoted}.schema_migrations (
                version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());
            """, cancellationToken);
        await using var read = new NpgsqlCommand($"SELECT coalesce(max(version), 0) FROM {quoted}.schema_migrations", connection);
        var current = (int)(await read.ExecuteScalarAsync(cancellationToken))!;
        var applied = new List<int>();
        foreach (var (version, description, sql) in Migrations.All.Where(m => m.Version > current).OrderBy(m => m.Version))
        {
            await ExecuteAsync(connection, sql.Replace("{schema}", quoted, StringComparison.Ordinal), cancellationToken);
            await ExecuteAsync(connection, $"INSERT INTO {quoted}.schema_migrations (version, description) VALUES (@version, @description)", cancellationToken,
                ("version", version), ("description", description));
            applied.Add(version);
        }

        await transaction.CommitAsync(cancellationToken);
        logger.SchemaMigrated(schema, current, applied.Count == 0 ? current : applied[^1]);
        return applied;
    }

    public static bool IsSchemaName(string schema) => System.Text.RegularExpressions.Regex.IsMatch(schema, SchemaPattern);

    private static string Quote(string schema) => IsSchemaName(schema)
        ? $"\"{schema}\""
        : throw new ArgumentException($"'{schema}' is not a schema name ({SchemaPattern})", nameof(schema));

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_dataSource.IsValueCreated)
        {
            await _dataSource.Value.DisposeAsync();
        }
    }
}

/// <summary>
/// Migrates the live schema before the app serves anything (the sidecar waits for the app to be up). A database that
/// is not reachable yet (starting, failing over, or a machine too busy to answer within the connection timeout) is
/// waited for, up to <see cref="StartupPatience"/>, instead of failing the app's start at the first attempt.
/// </summary>
internal sealed class MigrationService(ViewDatabase database, IOptions<OrderQueryOptions> options, ILogger<MigrationService> logger) : IHostedService
{
    private static readonly TimeSpan StartupPatience = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var giveUpAt = DateTimeOffset.UtcNow + StartupPatience;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await database.MigrateAsync(options.Value.Schema, cancellationToken);
                return;
            }
            catch (NpgsqlException ex) when (ex.IsTransient && DateTimeOffset.UtcNow + RetryDelay < giveUpAt)
            {
                logger.DatabaseNotReady(attempt, ex.Message);
                await Task.Delay(RetryDelay, cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
