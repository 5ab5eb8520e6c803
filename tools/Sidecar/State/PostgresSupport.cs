using System.Text.RegularExpressions;
using Npgsql;
using NpgsqlTypes;
using Sidecar.Resources;

namespace Sidecar.State;

/// <summary>What the two PostgreSQL state stores share: connection settings, identifiers, migrations lock, expired-row cleanup.</summary>
internal static partial class PostgresSupport
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    public static NpgsqlDataSource CreateDataSource(ComponentMetadata metadata)
    {
        var builder = metadata.Get("connectionString") is { Length: > 0 } connectionString
            ? ToNpgsql(connectionString)
            : FromFields(metadata);
        var timeout = metadata.Get("timeout") is { Length: > 0 } text && GoDuration.TryParse(text, out var parsed) ? parsed : DefaultTimeout;
        if (timeout > TimeSpan.Zero)
        {
            builder.CommandTimeout = (int)Math.Ceiling(timeout.TotalSeconds);
        }

        // As daprd's pgx pool: a connection goes back to the pool as it is (Npgsql would send DISCARD ALL, a statement
        // per use), and each connection keeps its own prepared statements (pgx caches them; Npgsql prepares a
        // statement after a few uses). The stores set no session state that a reset would have to undo.
        builder.NoResetOnClose = true;
        builder.MaxAutoPrepare = 64;
        return NpgsqlDataSource.Create(builder);
    }

    /// <summary>Dapr takes pgx connection strings: libpq key=value pairs or a postgres:// URL.</summary>
    public static NpgsqlConnectionStringBuilder ToNpgsql(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder();
        var trimmed = connectionString.Trim();
        if (trimmed.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || trimmed.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            var uri = new Uri(trimmed);
            if (uri.UserInfo.Length > 0)
            {
                var parts = uri.UserInfo.Split(':', 2);
                Apply(builder, "user", Uri.UnescapeDataString(parts[0]));
                if (parts.Length > 1)
                {
                    Apply(builder, "password", Uri.UnescapeDataString(parts[1]));
                }
            }

            Apply(builder, "host", uri.Host);
            if (!uri.IsDefaultPort && uri.Port > 0)
            {
                Apply(builder, "port", uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            if (uri.AbsolutePath.Trim('/') is { Length: > 0 } database)
            {
                Apply(builder, "dbname", Uri.UnescapeDataString(database));
            }

            foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var kv = pair.Split('=', 2);
                Apply(builder, Uri.UnescapeDataString(kv[0]), kv.Length > 1 ? Uri.UnescapeDataString(kv[1]) : "");
            }

            return builder;
        }

        foreach (Match match in KeyValue().Matches(trimmed))
        {
            var value = match.Groups["quoted"].Success
                ? match.Groups["quoted"].Value.Replace("\\'", "'", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal)
                : match.Groups["plain"].Value;
            Apply(builder, match.Groups["key"].Value, value);
        }

        return builder;
    }

    /// <summary>A table name as Dapr splices it into SQL (unquoted, optionally schema-qualified); anything else is refused.</summary>
    public static string ValidateTableName(string name, string field)
    {
        if (!TableName().IsMatch(name))
        {
            throw new ArgumentException($"invalid {field} '{name}': only letters, digits, '_' and one '.' between schema and table are allowed");
        }

        return name;
    }

    /// <summary>The unqualified part of a possibly schema-qualified name (index names carry no schema).</summary>
    public static string Unqualified(string name) => name[(name.LastIndexOf('.') + 1)..];

    public static TimeSpan? CleanupInterval(ComponentMetadata metadata)
    {
        var text = metadata.Get("cleanupInterval") ?? metadata.Get("cleanupIntervalInSeconds");
        if (string.IsNullOrEmpty(text))
        {
            return TimeSpan.FromHours(1);
        }

        TimeSpan interval;
        if (int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var seconds))
        {
            interval = TimeSpan.FromSeconds(seconds);
        }
        else if (!GoDuration.TryParse(text, out interval))
        {
            throw new ArgumentException($"invalid cleanupInterval '{text}'");
        }

        return interval <= TimeSpan.Zero ? null : interval;
    }

    /// <summary>Serialises schema changes across sidecars sharing the database, as Dapr's "lock" row does.</summary>
    public static async Task<NpgsqlTransaction> BeginMigrationAsync(NpgsqlConnection connection, string metadataTable, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock(3141592653)", cancellationToken);
        await ExecuteAsync(connection, transaction, $"CREATE TABLE IF NOT EXISTS {metadataTable} (key text NOT NULL PRIMARY KEY, value text NOT NULL)", cancellationToken);
        await ExecuteAsync(connection, transaction, $"INSERT INTO {metadataTable} (key, value) VALUES ('lock', 'lock') ON CONFLICT (key) DO NOTHING", cancellationToken);
        await ExecuteAsync(connection, transaction, $"SELECT key FROM {metadataTable} WHERE key = 'lock' FOR UPDATE", cancellationToken);
        return transaction;
    }

    public static async Task<int> ReadLevelAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string metadataTable, string levelKey, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SELECT value FROM {metadataTable} WHERE key = $1", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = levelKey, NpgsqlDbType = NpgsqlDbType.Text });
        var value = await command.ExecuteScalarAsync(cancellationToken) as string;
        return int.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var level) ? level : 0;
    }

    public static async Task WriteLevelAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string metadataTable, string levelKey, int level, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"INSERT INTO {metadataTable} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = levelKey, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = level.ToString(System.Globalization.CultureInfo.InvariantCulture), NpgsqlDbType = NpgsqlDbType.Text });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// ExecuteTransaction for both versions: as Dapr does, a single operation runs without a transaction and
    /// several run in one.
    /// </summary>
    public static async Task RunTransactionAsync(
        NpgsqlDataSource dataSource,
        IReadOnlyList<StateOperation> operations,
        Func<NpgsqlConnection, NpgsqlTransaction?, StateSetRequest, CancellationToken, Task> set,
        Func<NpgsqlConnection, NpgsqlTransaction?, StateDeleteRequest, CancellationToken, Task> delete,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = operations.Count > 1 ? await connection.BeginTransactionAsync(cancellationToken) : null;
        foreach (var operation in operations)
        {
            switch (operation)
            {
                case UpsertOperation upsert:
                    await set(connection, transaction, upsert.Request, cancellationToken);
                    break;
                case DeleteOperation remove:
                    await delete(connection, transaction, remove.Request, cancellationToken);
                    break;
            }
        }

        if (transaction is not null)
        {
            await transaction.CommitAsync(cancellationToken);
        }
    }

    /// <summary>KEYS_LIKE for both versions: live keys of the table matching a LIKE pattern.</summary>
    public static async Task<IReadOnlyList<string>> KeysLikeAsync(NpgsqlDataSource dataSource, string table, string expiryColumn, string pattern, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT key FROM {table} WHERE key LIKE $1 AND ({expiryColumn} IS NULL OR {expiryColumn} >= CURRENT_TIMESTAMP)");
        command.Parameters.Add(new NpgsqlParameter { Value = pattern, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        var keys = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add(reader.GetString(0));
        }

        return keys;
    }

    public static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Deletes expired rows every interval. The last-cleanup row makes sidecars sharing the table take turns:
    /// only the one that advances it past the interval deletes.
    /// </summary>
    public static async Task RunCleanupAsync(
        NpgsqlDataSource dataSource, string metadataTable, string lastCleanupKey, string deleteExpiredSql, TimeSpan interval, Action<Exception> onFailure,
        CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                await using var claim = new NpgsqlCommand(
                    $"""
                    INSERT INTO {metadataTable} (key, value) VALUES ($1, CURRENT_TIMESTAMP::text)
                    ON CONFLICT (key) DO UPDATE SET value = excluded.value
                    WHERE (excluded.value::timestamp with time zone - {metadataTable}.value::timestamp with time zone) * 1.05 > $2::interval
                    """, connection);
                claim.Parameters.Add(new NpgsqlParameter { Value = lastCleanupKey, NpgsqlDbType = NpgsqlDbType.Text });
                claim.Parameters.Add(new NpgsqlParameter { Value = interval, NpgsqlDbType = NpgsqlDbType.Interval });
                if (await claim.ExecuteNonQueryAsync(cancellationToken) == 1)
                {
                    await ExecuteAsync(connection, null, deleteExpiredSql, cancellationToken);
                }
            }
            catch (NpgsqlException ex)
            {
                // A failed round (database briefly away) is reported and retried at the next tick, as Dapr's GC does.
                onFailure(ex);
            }
        }
    }

    private static NpgsqlConnectionStringBuilder FromFields(ComponentMetadata metadata)
    {
        var builder = new NpgsqlConnectionStringBuilder();
        foreach (var (field, key) in new[] { ("host", "host"), ("port", "port"), ("database", "dbname"), ("user", "user"), ("username", "user"), ("password", "password"), ("sslRootCert", "sslrootcert") })
        {
            if (metadata.Get(field) is { Length: > 0 } value)
            {
                Apply(builder, key, value);
            }
        }

        if (string.IsNullOrEmpty(builder.Host))
        {
            throw new ArgumentException("missing connection string");
        }

        return builder;
    }

    private static void Apply(NpgsqlConnectionStringBuilder builder, string key, string value)
    {
        switch (key.ToLowerInvariant())
        {
            case "host" or "hostaddr":
                builder.Host = value;
                break;
            case "port":
                builder.Port = int.Parse(value.Split(',')[0], System.Globalization.CultureInfo.InvariantCulture);
                break;
            case "user" or "username":
                builder.Username = value;
                break;
            case "password":
                builder.Password = value;
                break;
            case "dbname" or "database":
                builder.Database = value;
                break;
            case "sslmode":
                builder.SslMode = value.ToLowerInvariant() switch
                {
                    "disable" => SslMode.Disable,
                    "allow" => SslMode.Allow,
                    "prefer" => SslMode.Prefer,
                    "require" => SslMode.Require,
                    "verify-ca" => SslMode.VerifyCA,
                    "verify-full" => SslMode.VerifyFull,
                    _ => throw new ArgumentException($"invalid sslmode '{value}'"),
                };
                break;
            case "sslrootcert":
                builder.RootCertificate = value;
                break;
            case "sslcert":
                builder.SslCertificate = value;
                break;
            case "sslkey":
                builder.SslKey = value;
                break;
            case "connect_timeout":
                builder.Timeout = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                break;
            case "application_name":
                builder.ApplicationName = value;
                break;
            case "search_path":
                builder.SearchPath = value;
                break;
            case "pool_max_conns":
                builder.MaxPoolSize = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                break;
            default:
                // pgx-only settings (pool tuning, statement cache) have no Npgsql equivalent that changes behaviour.
                break;
        }
    }

    [GeneratedRegex(@"(?<key>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?:'(?<quoted>(?:[^'\\]|\\.)*)'|(?<plain>\S*))")]
    private static partial Regex KeyValue();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")]
    private static partial Regex TableName();
}
