using Npgsql;
using NpgsqlTypes;
using Sidecar.Resources;

namespace Sidecar.State;

/// <summary>
/// state.postgresql v2 in Dapr's layout (store-layouts.md §3): table &lt;tablePrefix&gt;state with the raw bytes in
/// bytea, a fresh uuid ETag per write, expires_at TTL, schema level 2 under "migrations-state-v2-&lt;prefix&gt;".
/// </summary>
internal sealed class PostgresV2StateStore : IStateStore
{
    private const int SchemaLevel = 2;
    private readonly ComponentMetadata _metadata;
    private readonly string _prefix;
    private readonly string _table;
    private readonly string _metadataTable;
    private readonly TimeSpan? _cleanupInterval;
    private readonly CancellationTokenSource _stopping = new();
    private NpgsqlDataSource? _dataSource;
    private Task? _cleanup;

    public PostgresV2StateStore(ComponentMetadata metadata)
    {
        _metadata = metadata;
        _prefix = metadata.Get("tablePrefix") ?? "";
        _table = PostgresSupport.ValidateTableName(_prefix + "state", "tablePrefix");
        _metadataTable = PostgresSupport.ValidateTableName(metadata.GetOrDefault("metadataTableName", "dapr_metadata"), "metadataTableName");
        _cleanupInterval = PostgresSupport.CleanupInterval(metadata);
    }

    public StateFeatures Features => StateFeatures.ETag | StateFeatures.Transactional | StateFeatures.Ttl;

    private NpgsqlDataSource DataSource => _dataSource ?? throw new InvalidOperationException("state store is not initialised");

    public async Task InitAsync(CancellationToken cancellationToken)
    {
        _dataSource = PostgresSupport.CreateDataSource(_metadata);
        var levelKey = $"migrations-state-v2-{_prefix}";
        var bareTable = PostgresSupport.Unqualified(_table);
        await using (var connection = await _dataSource.OpenConnectionAsync(cancellationToken))
        await using (var transaction = await PostgresSupport.BeginMigrationAsync(connection, _metadataTable, cancellationToken))
        {
            var level = await PostgresSupport.ReadLevelAsync(connection, transaction, _metadataTable, levelKey, cancellationToken);
            if (level < 1)
            {
                await PostgresSupport.ExecuteAsync(connection, transaction, $"""
                    CREATE TABLE IF NOT EXISTS {_table} (
                      key text NOT NULL PRIMARY KEY,
                      value bytea NOT NULL,
                      etag uuid NOT NULL DEFAULT gen_random_uuid(),
                      created_at timestamp with time zone NOT NULL DEFAULT now(),
                      updated_at timestamp with time zone,
                      expires_at timestamp with time zone
                    )
                    """, cancellationToken);
                await PostgresSupport.ExecuteAsync(connection, transaction,
                    $"CREATE INDEX IF NOT EXISTS {bareTable}_expires_at_idx ON {_table} (expires_at)", cancellationToken);
            }

            if (level < 2)
            {
                await PostgresSupport.ExecuteAsync(connection, transaction,
                    $"ALTER TABLE {_table} ADD COLUMN IF NOT EXISTS row_id BIGINT GENERATED ALWAYS AS IDENTITY", cancellationToken);
                await PostgresSupport.ExecuteAsync(connection, transaction,
                    $"CREATE UNIQUE INDEX IF NOT EXISTS {bareTable}_row_id_uidx ON {_table} (row_id)", cancellationToken);
            }

            if (level < SchemaLevel)
            {
                await PostgresSupport.WriteLevelAsync(connection, transaction, _metadataTable, levelKey, SchemaLevel, cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }

        if (_cleanupInterval is { } interval)
        {
            _cleanup = PostgresSupport.RunCleanupAsync(_dataSource, _metadataTable, $"last-cleanup-state-v2-{_prefix}",
                $"DELETE FROM {_table} WHERE expires_at IS NOT NULL AND expires_at < CURRENT_TIMESTAMP", interval, _stopping.Token);
        }
    }

    public async Task<StateEntry?> GetAsync(string key, CancellationToken cancellationToken)
    {
        await using var command = DataSource.CreateCommand(
            $"SELECT value, etag::text, expires_at FROM {_table} WHERE key = $1 AND (expires_at IS NULL OR expires_at >= CURRENT_TIMESTAMP)");
        command.Parameters.Add(Text(key));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        DateTimeOffset? expiresAt = reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2);
        return new StateEntry(reader.GetFieldValue<byte[]>(0), reader.GetString(1), expiresAt);
    }

    public async Task SetAsync(StateSetRequest request, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        await SetAsync(connection, null, request, cancellationToken);
    }

    public async Task DeleteAsync(StateDeleteRequest request, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        await DeleteAsync(connection, null, request, cancellationToken);
    }

    public async Task ExecuteTransactionAsync(IReadOnlyList<StateOperation> operations, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var operation in operations)
        {
            switch (operation)
            {
                case UpsertOperation upsert:
                    await SetAsync(connection, transaction, upsert.Request, cancellationToken);
                    break;
                case DeleteOperation delete:
                    await DeleteAsync(connection, transaction, delete.Request, cancellationToken);
                    break;
            }
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public Task<StateQueryResult> QueryAsync(string queryJson, CancellationToken cancellationToken) =>
        throw new NotSupportedException("state store does not support querying");

    public async Task<IReadOnlyList<string>> KeysLikeAsync(string pattern, CancellationToken cancellationToken)
    {
        await using var command = DataSource.CreateCommand(
            $"SELECT key FROM {_table} WHERE key LIKE $1 AND (expires_at IS NULL OR expires_at >= now())");
        command.Parameters.Add(Text(pattern));
        var keys = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add(reader.GetString(0));
        }

        return keys;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_cleanup is not null)
        {
            try
            {
                await _cleanup;
            }
            catch (OperationCanceledException)
            {
                // The cleanup loop ends by cancellation.
            }
        }

        _stopping.Dispose();
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }
    }

    private async Task SetAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, StateSetRequest request, CancellationToken cancellationToken)
    {
        var hasETag = request.ETag is not null;
        // v2 reports a non-uuid ETag as a mismatch, not as invalid.
        Guid etag = default;
        if (hasETag && !Guid.TryParse(request.ETag, out etag))
        {
            throw new ETagMismatchException();
        }

        var expires = request.TtlSeconds is { } ttl and > 0 ? $"now() + interval '{ttl} seconds'" : "NULL";
        string sql;
        if (!hasETag)
        {
            sql = $"""
                INSERT INTO {_table} AS t (key, value, etag, expires_at) VALUES ($1, $2, gen_random_uuid(), {expires})
                ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = now(), etag = excluded.etag, expires_at = excluded.expires_at
                """;
            if (request.Concurrency == StateConcurrency.FirstWrite)
            {
                sql += " WHERE t.expires_at IS NOT NULL AND t.expires_at < now()";
            }
        }
        else
        {
            sql = $"""
                UPDATE {_table} SET value = $2, updated_at = now(), etag = gen_random_uuid(), expires_at = {expires}
                WHERE key = $1 AND etag = $3 AND (expires_at IS NULL OR expires_at >= now())
                """;
        }

        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.Add(Text(request.Key));
        command.Parameters.Add(new NpgsqlParameter { Value = request.Value.Bytes.ToArray(), NpgsqlDbType = NpgsqlDbType.Bytea });
        if (hasETag)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = etag, NpgsqlDbType = NpgsqlDbType.Uuid });
        }

        if (await command.ExecuteNonQueryAsync(cancellationToken) != 1)
        {
            throw hasETag ? new ETagMismatchException() : new InvalidOperationException("no item was updated");
        }
    }

    private async Task DeleteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, StateDeleteRequest request, CancellationToken cancellationToken)
    {
        var hasETag = request.ETag is not null;
        Guid etag = default;
        if (hasETag && !Guid.TryParse(request.ETag, out etag))
        {
            throw new ETagMismatchException();
        }

        await using var command = new NpgsqlCommand(
            hasETag ? $"DELETE FROM {_table} WHERE key = $1 AND etag = $2" : $"DELETE FROM {_table} WHERE key = $1", connection, transaction);
        command.Parameters.Add(Text(request.Key));
        if (hasETag)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = etag, NpgsqlDbType = NpgsqlDbType.Uuid });
        }

        if (await command.ExecuteNonQueryAsync(cancellationToken) != 1 && hasETag)
        {
            throw new ETagMismatchException();
        }
    }

    private static NpgsqlParameter Text(string value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.Text };
}
