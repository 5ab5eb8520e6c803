using Dapr;
using Dapr.Client;
using Grpc.Core;
using Npgsql;
using Platform.Testing;

namespace Sidecar.Tests.State;

/// <summary>Bulk saves and deletes (item by item, not atomic) and the postgres component options (table names, cleanup).</summary>
public sealed class StateBulkAndOptionsTests(BackendsFixture backends)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(StateBackend.All), MemberType = typeof(StateBackend))]
    public async Task SaveBulkState_StaleETagInTheMiddle_IsAbortedButEveryOtherItemIsWritten(string backend)
    {
        await using var scope = await StateBackend.StartAsync(backends, backend);
        var (first, guarded, last) = (StateBackend.NewKey(), StateBackend.NewKey(), StateBackend.NewKey());
        await scope.Client.SaveStateAsync(StateBackend.StoreName, guarded, "v1", cancellationToken: Ct);
        var (_, stale) = await scope.Client.GetStateAndETagAsync<string>(StateBackend.StoreName, guarded, cancellationToken: Ct);
        await scope.Client.SaveStateAsync(StateBackend.StoreName, guarded, "v2", cancellationToken: Ct);

        var error = await Assert.ThrowsAsync<DaprException>(() => scope.Client.SaveBulkStateAsync(StateBackend.StoreName,
        [
            new SaveStateItem<string>(first, "first", ""),
            new SaveStateItem<string>(guarded, "v3", stale),
            new SaveStateItem<string>(last, "last", ""),
        ], Ct));

        // daprd attempts every item of a multi-item save and joins the failures: not atomic, and not stopped by one.
        var rpc = Assert.IsType<RpcException>(error.InnerException);
        Assert.Equal(StatusCode.Aborted, rpc.StatusCode);
        Assert.StartsWith($"failed saving state in state store {StateBackend.StoreName}: possible etag mismatch", rpc.Status.Detail, StringComparison.Ordinal);
        Assert.Equal("first", await scope.Client.GetStateAsync<string>(StateBackend.StoreName, first, cancellationToken: Ct));
        Assert.Equal("v2", await scope.Client.GetStateAsync<string>(StateBackend.StoreName, guarded, cancellationToken: Ct));
        Assert.Equal("last", await scope.Client.GetStateAsync<string>(StateBackend.StoreName, last, cancellationToken: Ct));
    }

    [Theory]
    [MemberData(nameof(StateBackend.All), MemberType = typeof(StateBackend))]
    public async Task DeleteBulkState_KeysWithAndWithoutETag_AllRemoved(string backend)
    {
        await using var scope = await StateBackend.StartAsync(backends, backend);
        var (a, b) = (StateBackend.NewKey(), StateBackend.NewKey());
        await scope.Client.SaveStateAsync(StateBackend.StoreName, a, "a", cancellationToken: Ct);
        await scope.Client.SaveStateAsync(StateBackend.StoreName, b, "b", cancellationToken: Ct);
        var (_, etag) = await scope.Client.GetStateAndETagAsync<string>(StateBackend.StoreName, b, cancellationToken: Ct);

        // A null ETag makes the SDK send none; "" would be sent and, on Redis, compared as a version.
        await scope.Client.DeleteBulkStateAsync(StateBackend.StoreName, [new BulkDeleteStateItem(a, null!), new BulkDeleteStateItem(b, etag)], Ct);

        var items = await scope.Client.GetBulkStateAsync(StateBackend.StoreName, [a, b], parallelism: null, cancellationToken: Ct);
        Assert.All(items, item => Assert.Equal("", item.Value));
    }

    [Theory]
    [MemberData(nameof(StateBackend.All), MemberType = typeof(StateBackend))]
    public async Task DeleteBulkState_StaleETag_IsAborted(string backend)
    {
        await using var scope = await StateBackend.StartAsync(backends, backend);
        var key = StateBackend.NewKey();
        await scope.Client.SaveStateAsync(StateBackend.StoreName, key, "v1", cancellationToken: Ct);
        var (_, stale) = await scope.Client.GetStateAndETagAsync<string>(StateBackend.StoreName, key, cancellationToken: Ct);
        await scope.Client.SaveStateAsync(StateBackend.StoreName, key, "v2", cancellationToken: Ct);

        var error = await Assert.ThrowsAsync<DaprException>(() => scope.Client.DeleteBulkStateAsync(StateBackend.StoreName, [new BulkDeleteStateItem(key, stale)], Ct));

        Assert.Equal(StatusCode.Aborted, Assert.IsType<RpcException>(error.InnerException).StatusCode);
        Assert.Equal("v2", await scope.Client.GetStateAsync<string>(StateBackend.StoreName, key, cancellationToken: Ct));
    }

    [Theory]
    [InlineData(StateBackend.PostgresV1, "tableName", "orders", "orders", "orders_meta", "migrations")]
    [InlineData(StateBackend.PostgresV2, "tablePrefix", "orders_", "orders_state", "orders_meta", "migrations-state-v2-orders_")]
    public async Task Postgres_CustomTableNames_CreatesTablesAndLevelRow(string backend, string option, string value, string table, string metadataTable, string levelKey)
    {
        await using var scope = await StateBackend.StartAsync(backends, backend, (option, value), ("metadataTableName", metadataTable));
        await scope.Client.SaveStateAsync(StateBackend.StoreName, "k", "v", cancellationToken: Ct);
        await using var connection = new NpgsqlConnection(scope.NpgsqlConnectionString);
        await connection.OpenAsync(Ct);

        await using var rows = new NpgsqlCommand($"SELECT count(*) FROM {table}", connection);
        await using var level = new NpgsqlCommand($"SELECT value FROM {metadataTable} WHERE key = '{levelKey}'", connection);
        await using var index = new NpgsqlCommand($"SELECT count(*) FROM pg_indexes WHERE indexname = '{table}_row_id_uidx'", connection);

        Assert.Equal(1L, await rows.ExecuteScalarAsync(Ct));
        Assert.Equal(backend == StateBackend.PostgresV1 ? "3" : "2", await level.ExecuteScalarAsync(Ct));
        Assert.Equal(1L, await index.ExecuteScalarAsync(Ct));
    }

    [Fact]
    public async Task PostgresV1_SchemaQualifiedTableAndDiscreteConnectionFields_Work()
    {
        var connectionString = await backends.Postgres.CreateDatabaseAsync("state");
        var fields = connectionString.Split(' ').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var npgsql = backends.Postgres.NpgsqlConnectionString(fields["database"]);
        await using (var connection = new NpgsqlConnection(npgsql))
        {
            await connection.OpenAsync(Ct);
            await using var create = new NpgsqlCommand("CREATE SCHEMA orders", connection);
            await create.ExecuteNonQueryAsync(Ct);
        }

        var yaml = ComponentYaml.Component(StateBackend.StoreName, "state.postgresql", "v1",
        [
            ("host", fields["host"]), ("port", fields["port"]), ("user", fields["user"]), ("database", fields["database"]),
            ("tableName", "orders.state"), ("metadataTableName", "orders.dapr_metadata"),
        ]);
        var appId = $"app-{Guid.NewGuid():N}"[..16];
        await using var sidecar = await StateBackend.StartSidecarAsync(appId, yaml);

        await sidecar.Client.SaveStateAsync(StateBackend.StoreName, "k", "v", cancellationToken: Ct);

        await using var check = new NpgsqlConnection(npgsql);
        await check.OpenAsync(Ct);
        await using var row = new NpgsqlCommand("SELECT key FROM orders.state", check);
        await using var index = new NpgsqlCommand("SELECT schemaname FROM pg_indexes WHERE indexname = 'state_row_id_uidx'", check);
        Assert.Equal($"{appId}||k", await row.ExecuteScalarAsync(Ct));
        Assert.Equal("orders", await index.ExecuteScalarAsync(Ct));
    }

    [Theory]
    [InlineData(StateBackend.PostgresV1, "state", "expiredate", "last-cleanup")]
    [InlineData(StateBackend.PostgresV2, "state", "expires_at", "last-cleanup-state-v2-")]
    public async Task Postgres_CleanupInterval_DeletesExpiredRowsPhysically(string backend, string table, string expiryColumn, string lastCleanupKey)
    {
        await using var scope = await StateBackend.StartAsync(backends, backend, ("cleanupInterval", "1s"));
        await using var connection = new NpgsqlConnection(scope.NpgsqlConnectionString);
        await connection.OpenAsync(Ct);
        await scope.Client.SaveStateAsync(StateBackend.StoreName, "short", "v", metadata: new Dictionary<string, string> { ["ttlInSeconds"] = "1" }, cancellationToken: Ct);
        await scope.Client.SaveStateAsync(StateBackend.StoreName, "forever", "v", cancellationToken: Ct);

        var remaining = await Eventually.MatchAsync(
            async () =>
            {
                await using var command = new NpgsqlCommand($"SELECT string_agg(key, ',') FROM {table}", connection);
                return await command.ExecuteScalarAsync(Ct) as string;
            },
            keys => keys == $"{scope.AppId}||forever",
            TimeSpan.FromSeconds(15),
            $"the expired row is deleted (not only hidden) using {expiryColumn}");
        await using var lastCleanup = new NpgsqlCommand($"SELECT count(*) FROM dapr_metadata WHERE key = '{lastCleanupKey}'", connection);

        Assert.Equal($"{scope.AppId}||forever", remaining);
        Assert.Equal(1L, await lastCleanup.ExecuteScalarAsync(Ct));
    }
}
