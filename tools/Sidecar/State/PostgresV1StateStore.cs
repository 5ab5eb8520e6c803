using System.Globalization;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Sidecar.Resources;

namespace Sidecar.State;

/// <summary>
/// state.postgresql v1 in Dapr's layout (store-layouts.md §2): jsonb value with bytes as a base64 JSON string
/// (isbinary = true), ETag = xmin, TTL in expiredate, schema level 3 in the metadata table's "migrations" row.
/// </summary>
internal sealed class PostgresV1StateStore : IStateStore
{
    private const int SchemaLevel = 3;
    private readonly ComponentMetadata _metadata;
    private readonly string _table;
    private readonly string _metadataTable;
    private readonly TimeSpan? _cleanupInterval;
    private readonly CancellationTokenSource _stopping = new();
    private NpgsqlDataSource? _dataSource;
    private Task? _cleanup;

    public PostgresV1StateStore(ComponentMetadata metadata)
    {
        _metadata = metadata;
        _table = PostgresSupport.ValidateTableName(metadata.GetOrDefault("tableName", "state"), "tableName");
        _metadataTable = PostgresSupport.ValidateTableName(metadata.GetOrDefault("metadataTableName", "dapr_metadata"), "metadataTableName");
        _cleanupInterval = PostgresSupport.CleanupInterval(metadata);
    }

    public StateFeatures Features => StateFeatures.ETag | StateFeatures.Transactional | StateFeatures.Ttl | StateFeatures.Query;

    private NpgsqlDataSource DataSource => _dataSource ?? throw new InvalidOperationException("state store is not initialised");

    public async Task InitAsync(CancellationToken cancellationToken)
    {
        _dataSource = PostgresSupport.CreateDataSource(_metadata);
        await using (var connection = await _dataSource.OpenConnectionAsync(cancellationToken))
        await using (var transaction = await PostgresSupport.BeginMigrationAsync(connection, _metadataTable, cancellationToken))
        {
            var level = await PostgresSupport.ReadLevelAsync(connection, transaction, _metadataTable, "migrations", cancellationToken);
            if (level < 1)
            {
                await PostgresSupport.ExecuteAsync(connection, transaction, $"""
                    CREATE TABLE IF NOT EXISTS {_table} (
                      key text NOT NULL PRIMARY KEY,
                      value jsonb NOT NULL,
                      isbinary boolean NOT NULL,
                      insertdate TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
                      updatedate TIMESTAMP WITH TIME ZONE NULL
                    )
                    """, cancellationToken);
            }

            if (level < 2)
            {
                await PostgresSupport.ExecuteAsync(connection, transaction, $"ALTER TABLE {_table} ADD COLUMN IF NOT EXISTS expiredate TIMESTAMP WITH TIME ZONE", cancellationToken);
            }

            if (level < 3)
            {
                await PostgresSupport.ExecuteAsync(connection, transaction,
                    $"ALTER TABLE {_table} ADD COLUMN IF NOT EXISTS row_id BIGINT GENERATED ALWAYS AS IDENTITY", cancellationToken);
                await PostgresSupport.ExecuteAsync(connection, transaction,
                    $"CREATE UNIQUE INDEX IF NOT EXISTS {PostgresSupport.Unqualified(_table)}_row_id_uidx ON {_table} (row_id)", cancellationToken);
            }

            if (level < SchemaLevel)
            {
                await PostgresSupport.WriteLevelAsync(connection, transaction, _metadataTable, "migrations", SchemaLevel, cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }

        if (_cleanupInterval is { } interval)
        {
            _cleanup = PostgresSupport.RunCleanupAsync(_dataSource, _metadataTable, "last-cleanup",
                $"DELETE FROM {_table} WHERE expiredate IS NOT NULL AND expiredate < CURRENT_TIMESTAMP", interval, _stopping.Token);
        }
    }

    public async Task<StateEntry?> GetAsync(string key, CancellationToken cancellationToken)
    {
        await using var command = DataSource.CreateCommand(
            $"SELECT value::text, isbinary, xmin::text, expiredate FROM {_table} WHERE key = $1 AND (expiredate IS NULL OR expiredate >= CURRENT_TIMESTAMP)");
        command.Parameters.Add(Text(key));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var data = Decode(reader.GetString(0), reader.GetBoolean(1));
        DateTimeOffset? expiresAt = reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3);
        return new StateEntry(data, reader.GetString(2), expiresAt);
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
        // Dapr runs a single operation without a transaction, several in one.
        await using var transaction = operations.Count > 1 ? await connection.BeginTransactionAsync(cancellationToken) : null;
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

        if (transaction is not null)
        {
            await transaction.CommitAsync(cancellationToken);
        }
    }

    public async Task<StateQueryResult> QueryAsync(string queryJson, CancellationToken cancellationToken)
    {
        var query = PostgresQuery.Build(_table, queryJson);
        await using var command = DataSource.CreateCommand(query.Sql);
        foreach (var parameter in query.Parameters)
        {
            command.Parameters.Add(Text(parameter));
        }

        var items = new List<StateQueryItem>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                items.Add(new StateQueryItem(reader.GetString(0), Encoding.UTF8.GetBytes(reader.GetString(1)), reader.GetString(2)));
            }
        }

        var token = query.Limit > 0 && items.Count == query.Limit ? (query.Offset + items.Count).ToString(CultureInfo.InvariantCulture) : null;
        return new StateQueryResult(items, token);
    }

    public async Task<IReadOnlyList<string>> KeysLikeAsync(string pattern, CancellationToken cancellationToken)
    {
        await using var command = DataSource.CreateCommand(
            $"SELECT key FROM {_table} WHERE key LIKE $1 AND (expiredate IS NULL OR expiredate >= CURRENT_TIMESTAMP)");
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

    /// <summary>Bytes are a base64 JSON string (isbinary); JSON values are the jsonb text itself.</summary>
    internal static byte[] Decode(string jsonText, bool isBinary) =>
        isBinary ? Convert.FromBase64String(JsonSerializer.Deserialize<string>(jsonText) ?? "") : Encoding.UTF8.GetBytes(jsonText);

    private async Task SetAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, StateSetRequest request, CancellationToken cancellationToken)
    {
        var etag = ParseETag(request.ETag);
        var (value, isBinary) = request.Value.IsJson
            ? (Encoding.UTF8.GetString(request.Value.Bytes.Span), false)
            : (JsonSerializer.Serialize(Convert.ToBase64String(request.Value.Bytes.Span)), true);
        // Dapr's TTL expression; an update without ttlInSeconds writes NULL and so clears an earlier TTL.
        var expires = request.TtlSeconds is { } ttl and > 0 ? $"CURRENT_TIMESTAMP + interval '{ttl} seconds'" : "NULL";
        string sql;
        if (etag is null)
        {
            sql = $"""
                INSERT INTO {_table} AS t (key, value, isbinary, expiredate) VALUES ($1, $2, $3, {expires})
                ON CONFLICT (key) DO UPDATE SET value = excluded.value, isbinary = excluded.isbinary, updatedate = CURRENT_TIMESTAMP, expiredate = excluded.expiredate
                """;
            if (request.Concurrency == StateConcurrency.FirstWrite)
            {
                // First-write may only replace a row that has expired.
                sql += " WHERE t.expiredate IS NOT NULL AND t.expiredate < CURRENT_TIMESTAMP";
            }
        }
        else
        {
            sql = $"""
                UPDATE {_table} SET value = $2, isbinary = $3, updatedate = CURRENT_TIMESTAMP, expiredate = {expires}
                WHERE key = $1 AND xmin = $4 AND (expiredate IS NULL OR expiredate >= CURRENT_TIMESTAMP)
                """;
        }

        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.Add(Text(request.Key));
        command.Parameters.Add(new NpgsqlParameter { Value = value, NpgsqlDbType = NpgsqlDbType.Jsonb });
        command.Parameters.Add(new NpgsqlParameter { Value = isBinary, NpgsqlDbType = NpgsqlDbType.Boolean });
        if (etag is { } xmin)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = xmin, NpgsqlDbType = NpgsqlDbType.Xid });
        }

        if (await command.ExecuteNonQueryAsync(cancellationToken) != 1)
        {
            throw etag is null ? new InvalidOperationException("no item was updated") : new ETagMismatchException();
        }
    }

    private async Task DeleteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, StateDeleteRequest request, CancellationToken cancellationToken)
    {
        var etag = ParseETag(request.ETag);
        await using var command = new NpgsqlCommand(
            etag is null ? $"DELETE FROM {_table} WHERE key = $1" : $"DELETE FROM {_table} WHERE key = $1 AND xmin = $2", connection, transaction);
        command.Parameters.Add(Text(request.Key));
        if (etag is { } xmin)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = xmin, NpgsqlDbType = NpgsqlDbType.Xid });
        }

        if (await command.ExecuteNonQueryAsync(cancellationToken) != 1 && etag is not null)
        {
            throw new ETagMismatchException();
        }
    }

    /// <summary>xmin is a 32-bit transaction id; Dapr rejects anything else as an invalid ETag.</summary>
    private static uint? ParseETag(string? etag)
    {
        if (etag is null)
        {
            return null;
        }

        return uint.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var xmin)
            ? xmin
            : throw new ETagInvalidException($"strconv.ParseUint: parsing \"{etag}\": invalid syntax");
    }

    private static NpgsqlParameter Text(string value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.Text };
}
