using Npgsql;
using Platform.IntegrationTests.Infrastructure;
using Platform.Testing;

namespace Platform.IntegrationTests.OrderQueryTests;

/// <summary>The schema is created at start-up, once, however many replicas start and however often.</summary>
public sealed class MigrationTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Migrations_AppRestartedOnTheSameDatabase_AppliedOnceAndViewsKept()
    {
        await using var environment = await ServiceEnvironment.StartAsync(postgres.Server);
        var database = await ReadSide.CreateDatabaseAsync(environment);
        var order = new SampleOrder(Guid.NewGuid().ToString(), ReadSide.NewId("cust"), DateTimeOffset.UtcNow);
        var first = await ReadSide.StartAsync(environment, database);
        await first.PublishAsync("orders", "OrderPlaced", order.Placed());
        await first.SummaryWhenAsync(order.OrderId, _ => true, "the order projected");
        var npgsql = first.Database().DataSource.ConnectionString;
        await first.DisposeAsync();

        var second = await ReadSide.StartAsync(environment, database);

        Assert.Equal([1, 2], await AppliedVersionsAsync(npgsql, "orderquery"));
        Assert.NotNull(await second.SummaryAsync(order.OrderId));
    }

    [Fact]
    public async Task Migrations_TwoReplicasAtOnce_OneAppliesTheOtherFindsThemApplied()
    {
        await using var environment = await ServiceEnvironment.StartAsync(postgres.Server);
        var service = await ReadSide.StartAsync(environment, await ReadSide.CreateDatabaseAsync(environment));
        var schema = "race_" + Guid.NewGuid().ToString("N")[..12];
        var database = service.Database();

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => database.MigrateAsync(schema, TestContext.Current.CancellationToken)));

        Assert.Single(results, r => r.Count > 0);
        Assert.Equal([1, 2], results.Single(r => r.Count > 0));
        Assert.Equal([1, 2], await AppliedVersionsAsync(database.DataSource.ConnectionString, schema));
        Assert.Empty(await database.MigrateAsync(schema, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Migrations_DatabaseDownAtStart_AppWaitsForItAndStartsOnceItIsUp()
    {
        await using var environment = await ServiceEnvironment.StartAsync(postgres.Server);
        // The views on a server of the test's own, so it can be down while order-query starts.
        await using var views = await PostgresServer.StartAsync();
        var database = await views.CreateDatabaseAsync("orderquery");
        await views.StopAsync();

        var starting = ReadSide.StartAsync(environment, database);
        // Long enough for several refused attempts; a start that gave up at the first one has failed by now.
        await Task.Delay(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.False(starting.IsCompleted, starting.Exception?.ToString() ?? "order-query started without its database");

        await views.StartAgainAsync();
        await using var service = await starting;
        Assert.Equal([1, 2], await AppliedVersionsAsync(service.Database().DataSource.ConnectionString, "orderquery"));
    }

    private static async Task<List<int>> AppliedVersionsAsync(string connectionString, string schema)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand($"SELECT version FROM \"{schema}\".schema_migrations ORDER BY version", connection);
        var versions = new List<int>();
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            versions.Add(reader.GetInt32(0));
        }

        return versions;
    }
}
