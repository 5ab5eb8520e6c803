using System.Text.Json;
using Orders;
using Platform.IntegrationTests.Infrastructure;
using Platform.Testing;
using Sidecar.Faults;

namespace Platform.IntegrationTests.OrdersService;

/// <summary>The price replica under the sidecar's injected delivery faults: every delivery duplicated, many reordered.</summary>
public sealed class CatalogReplicaFaultTests(PostgresFixture postgres)
{
    [Fact]
    public async Task CatalogEvents_DuplicatedAndReorderedDeliveries_ReplicaEndsAtNewestVersion()
    {
        var token = TestContext.Current.CancellationToken;
        await using var environment = await ServiceEnvironment.StartAsync(postgres.Server);
        var service = await environment.StartServiceAsync<OrdersOptions>(DaprNames.AppId, new ServiceStartOptions
        {
            Faults = new FaultOptions { Seed = 7, DuplicateProbability = 1.0, ReorderProbability = 0.5 },
        });
        var sku = "SKU-" + Guid.NewGuid().ToString("N")[..12];

        foreach (var version in new long[] { 1, 2, 3, 4, 5 })
        {
            await service.Dapr.PublishEventAsync(
                DaprNames.PubSub, DaprNames.CatalogTopic,
                new { eventId = $"{sku}:{version}", sku, version, name = "Apple", price = version * 1.5m, currency = "EUR", active = true, occurredAt = DateTimeOffset.UtcNow },
                new Dictionary<string, string> { ["cloudevent.type"] = version == 1 ? "ProductCreated" : "ProductPriceChanged" },
                token);
        }

        // Trailing events of other skus push out any delivery the reorder fault still holds back.
        var trailing = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var other = "SKU-" + Guid.NewGuid().ToString("N")[..12];
            trailing.Add(other);
            await service.Dapr.PublishEventAsync(
                DaprNames.PubSub, DaprNames.CatalogTopic,
                new { eventId = $"{other}:1", sku = other, version = 1L, name = "Pear", price = 1m, currency = "EUR", active = true, occurredAt = DateTimeOffset.UtcNow },
                new Dictionary<string, string> { ["cloudevent.type"] = "ProductCreated" },
                token);
        }

        var replica = await Eventually.MatchAsync(
            () => service.Dapr.GetStateAsync<JsonElement>(DaprNames.ReplicaStore, $"product:{sku}", cancellationToken: token),
            p => p.ValueKind == JsonValueKind.Object && p.GetProperty("version").GetInt64() == 5,
            TimeSpan.FromSeconds(15), "replica at v5");
        Assert.Equal(7.5m, replica.GetProperty("price").GetDecimal());
        foreach (var version in new long[] { 1, 2, 3, 4, 5 })
        {
            await Eventually.MatchAsync(
                () => service.Dapr.GetStateAsync<JsonElement>(DaprNames.ReplicaStore, $"inbox:{sku}:{version}", cancellationToken: token),
                e => e.ValueKind == JsonValueKind.Object,
                TimeSpan.FromSeconds(15), $"inbox has {sku}:{version}");
        }

        // Older duplicates that arrive after v5 (every delivery is made twice) leave it at v5.
        Assert.Equal(5, (await service.Dapr.GetStateAsync<JsonElement>(DaprNames.ReplicaStore, $"product:{sku}", cancellationToken: token)).GetProperty("version").GetInt64());
    }
}
