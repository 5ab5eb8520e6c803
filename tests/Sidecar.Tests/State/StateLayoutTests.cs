using System.Text;
using System.Text.Json;
using Npgsql;
using Platform.Testing;
using StackExchange.Redis;

namespace Sidecar.Tests.State;

/// <summary>
/// The physical layout real Dapr reads and writes (store-layouts.md §2–§4): what the SDK's writes look like
/// in PostgreSQL and Redis, and that rows written in Dapr's layout read back through the sidecar.
/// </summary>
public sealed class StateLayoutTests(BackendsFixture backends)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PostgresV1_Schema_MatchesDaprMigrationLevel3()
    {
        await using var scope = await StateBackend.StartAsync(backends, StateBackend.PostgresV1);
        await using var connection = await OpenAsync(scope);

        var columns = await QueryAsync(connection,
            "SELECT column_name || ' ' || data_type || ' ' || is_nullable FROM information_schema.columns WHERE table_name = 'state' ORDER BY ordinal_position",
            r => r.GetString(0));
        var primaryKey = await ScalarAsync<string>(connection,
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'state'::regclass AND i.indisprimary");
        var rowIdIndex = await ScalarAsync<string>(connection, "SELECT indexdef FROM pg_indexes WHERE indexname = 'state_row_id_uidx'");
        var identity = await ScalarAsync<string>(connection, "SELECT is_identity FROM information_schema.columns WHERE table_name = 'state' AND column_name = 'row_id'");
        var metadata = await QueryAsync(connection, "SELECT key || '=' || value FROM dapr_metadata ORDER BY key", r => r.GetString(0));

        Assert.Equal(
        [
            "key text NO", "value jsonb NO", "isbinary boolean NO", "insertdate timestamp with time zone NO",
            "updatedate timestamp with time zone YES", "expiredate timestamp with time zone YES", "row_id bigint NO",
        ], columns);
        Assert.Equal("key", primaryKey);
        Assert.Contains("UNIQUE INDEX state_row_id_uidx", rowIdIndex, StringComparison.Ordinal);
        Assert.Equal("YES", identity);
        Assert.Contains("migrations=3", metadata);
    }

    [Fact]
    public async Task PostgresV1_SdkWrite_IsBase64JsonStringWithXminETag()
    {
        await using var scope = await StateBackend.StartAsync(backends, StateBackend.PostgresV1);
        await scope.Client.SaveStateAsync(StateBackend.StoreName, "order-1", new { orderId = "o-1", total = 12.5 }, cancellationToken: Ct);
        var (_, etag) = await scope.Client.GetStateAndETagAsync<JsonElement>(StateBackend.StoreName, "order-1", cancellationToken: Ct);
        await using var connection = await OpenAsync(scope);

        var row = Assert.Single(await QueryAsync(connection,
            "SELECT key, value::text, isbinary, xmin::text, updatedate IS NULL, expiredate IS NULL FROM state",
            r => (Key: r.GetString(0), Value: r.GetString(1), IsBinary: r.GetBoolean(2), Xmin: r.GetString(3), NeverUpdated: r.GetBoolean(4), NoTtl: r.GetBoolean(5))));

        Assert.Equal($"{scope.AppId}||order-1", row.Key);
        Assert.True(row.IsBinary);
        Assert.Equal(JsonSerializer.Serialize(Convert.ToBase64String("{\"orderId\":\"o-1\",\"total\":12.5}"u8)), row.Value);
        Assert.Equal(row.Xmin, etag);
        Assert.True(row.NeverUpdated);
        Assert.True(row.NoTtl);
    }

    [Fact]
    public async Task PostgresV1_ContentTypeJson_IsNativeJsonbAndTtlSetsExpiredate()
    {
        await using var scope = await StateBackend.StartAsync(backends, StateBackend.PostgresV1);
        var metadata = new Dictionary<string, string> { ["contentType"] = "application/json", ["ttlInSeconds"] = "600" };
        await scope.Client.SaveStateAsync(StateBackend.StoreName, "c", new { name = "Ann", age = 7 }, metadata: metadata, cancellationToken: Ct);
        await using var connection = await OpenAsync(scope);

        var row = Assert.Single(await QueryAsync(connection,
            "SELECT value::text, isbinary, expiredate - insertdate FROM state",
            r => (Value: r.GetString(0), IsBinary: r.GetBoolean(1), Ttl: r.GetFieldValue<TimeSpan>(2))));

        Assert.False(row.IsBinary);
        Assert.Equal("""{"age": 7, "name": "Ann"}""", row.Value);
        Assert.InRange(row.Ttl, TimeSpan.FromSeconds(599), TimeSpan.FromSeconds(601));
    }

    [Fact]
    public async Task PostgresV1_RowsWrittenInDaprLayout_ReadThroughSidecar()
    {
        await using var scope = await StateBackend.StartAsync(backends, StateBackend.PostgresV1);
        await using var connection = await OpenAsync(scope);
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO state (key, value, isbinary) VALUES ($1, to_jsonb($2::text), true), ($3, $4::jsonb, false)", connection))
        {
            insert.Parameters.AddWithValue($"{scope.AppId}||binary");
            insert.Parameters.AddWithValue(Convert.ToBase64String("{\"id\":\"b\"}"u8));
            insert.Parameters.AddWithValue($"{scope.AppId}||json");
            insert.Parameters.AddWithValue("""{"id": "j"}""");
            await insert.ExecuteNonQueryAsync(Ct);
        }

        var xmin = await ScalarAsync<string>(connection, $"SELECT xmin::text FROM state WHERE key = '{scope.AppId}||binary'");
        var (binary, etag) = await scope.Client.GetStateAndETagAsync<Item>(StateBackend.StoreName, "binary", cancellationToken: Ct);
        var json = await scope.Client.GetByteStateAsync(StateBackend.StoreName, "json", cancellationToken: Ct);

        Assert.Equal(new Item("b"), binary);
        Assert.Equal(xmin, etag);
        Assert.Equal("""{"id": "j"}""", Encoding.UTF8.GetString(json.Span));
    }

    [Fact]
    public async Task PostgresV1_Transaction_RowsShareOneXminETagAndAreBase64()
    {
        await using var scope = await StateBackend.StartAsync(backends, StateBackend.PostgresV1);

        await scope.Client.ExecuteStateTransactionAsync(StateBackend.StoreName,
        [
            new Dapr.Client.StateTransactionRequest("a", "{\"n\":1}"u8.ToArray(), Dapr.Client.StateOperationType.Upsert, metadata: new Dictionary<string, string> { ["contentType"] = "application/json" }),
            new Dapr.Client.StateTransactionRequest("b", "{\"n\":2}"u8.ToArray(), Dapr.Client.StateOperationType.Upsert),
        ], cancellationToken: Ct);
        var (_, etagA) = await scope.Client.GetStateAndETagAsync<JsonElement>(StateBackend.StoreName, "a", cancellationToken: Ct);
        var (_, etagB) = await scope.Client.GetStateAndETagAsync<JsonElement>(StateBackend.StoreName, "b", cancellationToken: Ct);
        await using var connection = await OpenAsync(scope);
        var binary = await QueryAsync(connection, "SELECT bool_and(isbinary) FROM state", r => r.GetBoolean(0));

        Assert.Equal(etagA, etagB);
        // Transactions hand the store bytes even with contentType application/json.
        Assert.True(Assert.Single(binary));
    }

    [Fact]
    public async Task PostgresV2_SdkWrite_IsRawBytesWithUuidETag()
    {
        await using var scope = await StateBackend.StartAsync(backends, StateBackend.PostgresV2);
        await scope.Client.SaveStateAsync(StateBackend.StoreName, "order-1", new { orderId = "o-1" }, cancellationToken: Ct);
        var (_, etag) = await scope.Client.GetStateAndETagAsync<JsonElement>(StateBackend.StoreName, "order-1", cancellationToken: Ct);
        await using var connection = await OpenAsync(scope);

        var columns = await QueryAsync(connection,
            "SELECT column_name || ' ' || data_type || ' ' || is_nullable FROM information_schema.columns WHERE table_name = 'state' ORDER BY ordinal_position",
            r => r.GetString(0));
        var row = Assert.Single(await QueryAsync(connection,
            "SELECT key, value, etag::text FROM state",
            r => (Key: r.GetString(0), Value: r.GetFieldValue<byte[]>(1), ETag: r.GetString(2))));
        var level = await ScalarAsync<string>(connection, "SELECT value FROM dapr_metadata WHERE key = 'migrations-state-v2-'");

        Assert.Equal(
        [
            "key text NO", "value bytea NO", "etag uuid NO", "created_at timestamp with time zone NO",
            "updated_at timestamp with time zone YES", "expires_at timestamp with time zone YES", "row_id bigint NO",
        ], columns);
        Assert.Equal($"{scope.AppId}||order-1", row.Key);
        Assert.Equal("{\"orderId\":\"o-1\"}", Encoding.UTF8.GetString(row.Value));
        Assert.Equal(row.ETag, etag);
        Assert.True(Guid.TryParse(etag, out _));
        Assert.Equal("2", level);
    }

    [Fact]
    public async Task PostgresV2_RowWrittenInDaprLayout_ReadsThroughSidecarWithItsETag()
    {
        await using var scope = await StateBackend.StartAsync(backends, StateBackend.PostgresV2);
        await using var connection = await OpenAsync(scope);
        var etag = Guid.NewGuid();
        await using (var insert = new NpgsqlCommand("INSERT INTO state (key, value, etag) VALUES ($1, $2, $3)", connection))
        {
            insert.Parameters.AddWithValue($"{scope.AppId}||direct");
            insert.Parameters.AddWithValue("{\"id\":\"d\"}"u8.ToArray());
            insert.Parameters.AddWithValue(etag);
            await insert.ExecuteNonQueryAsync(Ct);
        }

        var (value, readETag) = await scope.Client.GetStateAndETagAsync<Item>(StateBackend.StoreName, "direct", cancellationToken: Ct);

        Assert.Equal(new Item("d"), value);
        Assert.Equal(etag.ToString(), readETag);
    }

    [Fact]
    public async Task Redis_SdkWrites_AreHashWithDataAndIncrementingVersion()
    {
        await using var scope = await StateBackend.StartAsync(backends, StateBackend.Redis);
        var key = StateBackend.NewKey();
        var physical = $"{scope.AppId}||{key}";

        await scope.Client.SaveStateAsync(StateBackend.StoreName, key, new { orderId = "o-1" }, cancellationToken: Ct);
        var first = await backends.Redis.Database.HashGetAllAsync(physical);
        await scope.Client.SaveStateAsync(StateBackend.StoreName, key, new { orderId = "o-2" }, new Dapr.Client.StateOptions { Concurrency = Dapr.Client.ConcurrencyMode.FirstWrite }, cancellationToken: Ct);
        var second = await backends.Redis.Database.HashGetAllAsync(physical);
        var (_, etag) = await scope.Client.GetStateAndETagAsync<JsonElement>(StateBackend.StoreName, key, cancellationToken: Ct);

        Assert.Equal(RedisType.Hash, await backends.Redis.Database.KeyTypeAsync(physical));
        Assert.Equal(["data={\"orderId\":\"o-1\"}", "version=1"], first.Select(f => $"{f.Name}={f.Value}").Order());
        Assert.Equal(["data={\"orderId\":\"o-2\"}", "first-write=0", "version=2"], second.Select(f => $"{f.Name}={f.Value}").Order());
        Assert.Equal("2", etag);
    }

    [Fact]
    public async Task Redis_HashWrittenInDaprLayout_ReadsThroughSidecarWithVersionETag()
    {
        await using var scope = await StateBackend.StartAsync(backends, StateBackend.Redis);
        var key = StateBackend.NewKey();
        await backends.Redis.Database.HashSetAsync($"{scope.AppId}||{key}", [new HashEntry("data", "{\"id\":\"r\"}"), new HashEntry("version", 7)]);

        var (value, etag) = await scope.Client.GetStateAndETagAsync<Item>(StateBackend.StoreName, key, cancellationToken: Ct);
        var saved = await scope.Client.TrySaveStateAsync(StateBackend.StoreName, key, new Item("r2"), etag, cancellationToken: Ct);

        Assert.Equal(new Item("r"), value);
        Assert.Equal("7", etag);
        Assert.True(saved);
        Assert.Equal("8", (string?)await backends.Redis.Database.HashGetAsync($"{scope.AppId}||{key}", "version"));
    }

    [Fact]
    public async Task Redis_LegacyStringAndBrokenHash_ReadLikeDapr()
    {
        await using var scope = await StateBackend.StartAsync(backends, StateBackend.Redis);
        var (legacy, broken) = (StateBackend.NewKey(), StateBackend.NewKey());
        await backends.Redis.Database.StringSetAsync($"{scope.AppId}||{legacy}", "{\"id\":\"old\"}");
        await backends.Redis.Database.HashSetAsync($"{scope.AppId}||{broken}", [new HashEntry("data", "{}")]);

        var (value, etag) = await scope.Client.GetStateAndETagAsync<Item>(StateBackend.StoreName, legacy, cancellationToken: Ct);
        var error = await Assert.ThrowsAsync<Dapr.DaprException>(() => scope.Client.GetStateAsync<Item>(StateBackend.StoreName, broken, cancellationToken: Ct));

        Assert.Equal(new Item("old"), value);
        Assert.Equal("", etag);
        var rpc = Assert.IsType<Grpc.Core.RpcException>(error.InnerException);
        Assert.Equal(Grpc.Core.StatusCode.Internal, rpc.StatusCode);
        Assert.EndsWith("required hash field 'data' or 'version' was not found", rpc.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Redis_TtlAndRewrite_KeyExpiryKeptAndMinusOnePersists()
    {
        await using var scope = await StateBackend.StartAsync(backends, StateBackend.Redis);
        var key = StateBackend.NewKey();
        var physical = $"{scope.AppId}||{key}";

        await scope.Client.SaveStateAsync(StateBackend.StoreName, key, 1, metadata: new Dictionary<string, string> { ["ttlInSeconds"] = "300" }, cancellationToken: Ct);
        await scope.Client.SaveStateAsync(StateBackend.StoreName, key, 2, cancellationToken: Ct);
        var kept = await backends.Redis.Database.KeyTimeToLiveAsync(physical);
        await scope.Client.SaveStateAsync(StateBackend.StoreName, key, 3, metadata: new Dictionary<string, string> { ["ttlInSeconds"] = "-1" }, cancellationToken: Ct);
        var persisted = await backends.Redis.Database.KeyTimeToLiveAsync(physical);

        Assert.NotNull(kept);
        Assert.InRange(kept.Value, TimeSpan.FromSeconds(200), TimeSpan.FromSeconds(300));
        Assert.Null(persisted);
    }

    [Fact]
    public async Task Redis_ComponentTtl_AppliesWhenTheRequestHasNone()
    {
        await using var scope = await StateBackend.StartAsync(backends, StateBackend.Redis, ("ttlInSeconds", "120"));
        var key = StateBackend.NewKey();

        await scope.Client.SaveStateAsync(StateBackend.StoreName, key, 1, cancellationToken: Ct);
        var ttl = await backends.Redis.Database.KeyTimeToLiveAsync($"{scope.AppId}||{key}");

        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(120));
    }

    [Fact]
    public async Task PostgresV1_QuerySharedTable_ReturnsOtherAppsRowsDeprefixed()
    {
        var connectionString = await backends.Postgres.CreateDatabaseAsync("state");
        var yaml = ComponentYaml.PostgresV1(StateBackend.StoreName, connectionString);
        await using var writer = await StateBackend.StartSidecarAsync($"writer-{Guid.NewGuid():N}"[..16], yaml);
        await using var reader = await StateBackend.StartSidecarAsync($"reader-{Guid.NewGuid():N}"[..16], yaml);
        var json = new Dictionary<string, string> { ["contentType"] = "application/json" };
        await writer.Client.SaveStateAsync(StateBackend.StoreName, "theirs", new Item("shared"), metadata: json, cancellationToken: Ct);

        var result = await reader.Client.QueryStateAsync<Item>(StateBackend.StoreName, """{"filter": {"EQ": {"id": "shared"}}}""", cancellationToken: Ct);
        var direct = await reader.Client.GetStateAsync<Item>(StateBackend.StoreName, "theirs", cancellationToken: Ct);

        Assert.Equal("theirs", Assert.Single(result.Results).Key);
        Assert.Null(direct);
    }

    [Theory]
    [InlineData(StateBackend.PostgresV1, "appid")]
    [InlineData(StateBackend.PostgresV1, "name")]
    [InlineData(StateBackend.PostgresV1, "none")]
    [InlineData(StateBackend.PostgresV1, "shared")]
    [InlineData(StateBackend.Redis, "appid")]
    [InlineData(StateBackend.Redis, "name")]
    [InlineData(StateBackend.Redis, "none")]
    [InlineData(StateBackend.Redis, "shared")]
    public async Task KeyPrefix_Setting_ShapesThePhysicalKey(string backend, string keyPrefix)
    {
        await using var scope = await StateBackend.StartAsync(backends, backend, ("keyPrefix", keyPrefix));
        var key = StateBackend.NewKey();
        var expected = keyPrefix switch
        {
            "appid" => $"{scope.AppId}||{key}",
            "name" => $"{StateBackend.StoreName}||{key}",
            "none" => key,
            var custom => $"{custom}||{key}",
        };

        await scope.Client.SaveStateAsync(StateBackend.StoreName, key, "v", cancellationToken: Ct);
        var items = await scope.Client.GetBulkStateAsync(StateBackend.StoreName, [key], parallelism: null, cancellationToken: Ct);

        if (backend == StateBackend.Redis)
        {
            Assert.True(await backends.Redis.Database.KeyExistsAsync(expected));
        }
        else
        {
            await using var connection = await OpenAsync(scope);
            Assert.Equal(expected, await ScalarAsync<string>(connection, "SELECT key FROM state"));
        }

        Assert.Equal(key, Assert.Single(items).Key);
    }

    private static async Task<NpgsqlConnection> OpenAsync(StateScope scope)
    {
        var connection = new NpgsqlConnection(scope.NpgsqlConnectionString ?? throw new InvalidOperationException("not a postgres backend"));
        await connection.OpenAsync(Ct);
        return connection;
    }

    private static async Task<List<T>> QueryAsync<T>(NpgsqlConnection connection, string sql, Func<NpgsqlDataReader, T> map)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var rows = new List<T>();
        while (await reader.ReadAsync(Ct))
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync(Ct) ?? throw new InvalidOperationException($"no value for: {sql}"));
    }

    public sealed record Item(string Id);
}
