using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Platform.IntegrationTests.Infrastructure;
using Platform.Testing;
using Sidecar.Faults;

namespace Platform.IntegrationTests.ChoreographyTests;

/// <summary>
/// One environment for a test class: orders, payments and inventory with their sidecars and the repository's
/// components (no order-saga), a gateway simulator that declines amounts above <see cref="DeclineAmountAbove"/>,
/// and optionally the sidecars' delivery faults. Tests use fresh SKUs, customers and order ids, so they share it.
/// </summary>
public abstract class ChoreographyEnvironment(PostgresFixture postgres) : IAsyncLifetime
{
    public const decimal DeclineAmountAbove = 1000m;

    /// <summary>Generous: a StockReserved that overtook its OrderPlaced waits for delivery retries (up to ~8 s).</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private ServiceEnvironment? _environment;

    public RunningService Orders { get; private set; } = null!;

    public RunningService Payments { get; private set; } = null!;

    public RunningService Inventory { get; private set; } = null!;

    /// <summary>The Redis of the environment: pub/sub streams (topics and dead-letter topics) and the stores on it.</summary>
    public RedisServer Redis => (_environment ?? throw new InvalidOperationException("not started")).Redis;

    protected abstract FaultOptions? Faults { get; }

    /// <summary>Settings of the orders app (the review threshold of the review tests).</summary>
    protected virtual IReadOnlyDictionary<string, string?> OrdersSettings { get; } = new Dictionary<string, string?>();

    /// <summary>Settings of the payments app besides the decline limit (the slow gateway of the timeout tests).</summary>
    protected virtual IReadOnlyDictionary<string, string?> PaymentsSettings { get; } = new Dictionary<string, string?>();

    public async ValueTask InitializeAsync()
    {
        _environment = await ServiceEnvironment.StartAsync(postgres.Server);
        Inventory = await _environment.StartServiceAsync<global::Inventory.InventoryOptions>(global::Inventory.DaprNames.AppId, new ServiceStartOptions { Faults = Faults });
        Payments = await _environment.StartServiceAsync<global::Payments.PaymentsOptions>(global::Payments.DaprNames.AppId, new ServiceStartOptions
        {
            Faults = Faults,
            Settings = new Dictionary<string, string?>(PaymentsSettings)
            {
                ["Payments:Gateway:DeclineAmountAbove"] = DeclineAmountAbove.ToString(CultureInfo.InvariantCulture),
            },
        });
        Orders = await _environment.StartServiceAsync<global::Orders.OrdersOptions>(global::Orders.DaprNames.AppId, new ServiceStartOptions { Faults = Faults, Settings = OrdersSettings });
    }

    public async ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        if (_environment is not null)
        {
            await _environment.DisposeAsync();
        }
    }

    public static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    /// <summary>A product priced in orders' replica (through a ProductCreated on topic catalog) with <paramref name="units"/> units in stock.</summary>
    public async Task<string> NewProductAsync(decimal price, int units)
    {
        var sku = NewId("sku")[..24];
        var created = new { eventId = $"{sku}:1", sku, version = 1L, name = $"Product {sku}", category = "test", price, currency = "EUR", active = true, occurredAt = DateTimeOffset.UtcNow };
        await Orders.Dapr.PublishEventAsync("pubsub", "catalog", created, new Dictionary<string, string> { ["cloudevent.type"] = "ProductCreated" }, Cancellation);
        var restock = await Inventory.Http.PostAsJsonAsync($"/stock/{sku}/restock", new { quantity = units, restockId = NewId("r") }, Cancellation);
        restock.EnsureSuccessStatusCode();
        await Eventually.MatchAsync(
            async () => (await Orders.Dapr.GetStateAsync<JsonElement?>(global::Orders.DaprNames.ReplicaStore, $"product:{sku}", cancellationToken: Cancellation))?.GetProperty("version").GetInt64() ?? 0,
            version => version >= 1,
            Patience,
            $"orders' replica prices {sku}");
        return sku;
    }

    /// <summary>Places an order and answers its id.</summary>
    public async Task<string> PlaceAsync(string customerId, string sku, int quantity, string sagaMode = "Choreography")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/orders")
        {
            Content = JsonContent.Create(new { customerId, lines = new[] { new { sku, quantity } }, sagaMode }),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        var response = await Orders.Http.SendAsync(request, Cancellation);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("orderId").GetString()!;
    }

    public async Task<JsonElement> OrderAsync(string orderId) => (await GetAsync(Orders, $"/orders/{orderId}")).Body!.Value;

    /// <summary>Waits until the order is Confirmed or Cancelled.</summary>
    public Task<JsonElement> TerminalOrderAsync(string orderId) => Eventually.MatchAsync(
        () => OrderAsync(orderId),
        order => order.GetProperty("status").GetString() is "Confirmed" or "Cancelled",
        Patience,
        $"order {orderId} confirmed or cancelled");

    public async Task<JsonElement?> PaymentAsync(string orderId) => (await GetAsync(Payments, $"/payments/{orderId}")).Body;

    public async Task<JsonElement?> GatewayChargeAsync(string orderId) => (await GetAsync(Payments, $"/gateway/charges/{orderId}")).Body;

    public async Task<JsonElement?> CreditAsync(string customerId) => (await GetAsync(Payments, $"/customers/{customerId}/credit")).Body;

    public async Task<long> CreditBalanceAsync(string customerId) => (await CreditAsync(customerId))?.GetProperty("balance").GetInt64() ?? 0;

    public async Task<JsonElement?> ReservationAsync(string orderId) => (await GetAsync(Inventory, $"/reservations/{orderId}")).Body;

    public async Task<string?> ReservationStatusAsync(string orderId) => (await ReservationAsync(orderId))?.GetProperty("status").GetString();

    /// <summary>(available, reserved, committed, restocked) of a SKU.</summary>
    public async Task<(long Available, long Reserved, long Committed, long Restocked)> StockAsync(string sku)
    {
        var stock = (await GetAsync(Inventory, $"/stock/{sku}")).Body!.Value;
        return (stock.GetProperty("available").GetInt64(), stock.GetProperty("reserved").GetInt64(),
            stock.GetProperty("committed").GetInt64(), stock.GetProperty("restocked").GetInt64());
    }

    /// <summary>Waits for a value in another service (the saga's later steps run after the order's terminal state).</summary>
    public static Task<T> EventuallyAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, string description) =>
        Eventually.MatchAsync(probe, condition, Patience, description);

    private static async Task<(HttpStatusCode Status, JsonElement? Body)> GetAsync(RunningService service, string path)
    {
        var response = await service.Http.GetAsync(path, Cancellation);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return (response.StatusCode, null);
        }

        response.EnsureSuccessStatusCode();
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation));
    }
}

public sealed class ReliableChoreographyEnvironment(PostgresFixture postgres) : ChoreographyEnvironment(postgres)
{
    protected override FaultOptions? Faults => null;
}

/// <summary>Every sidecar duplicates and reorders deliveries (seeded, so a run is reproducible).</summary>
public sealed class FaultyChoreographyEnvironment(PostgresFixture postgres) : ChoreographyEnvironment(postgres)
{
    protected override FaultOptions? Faults => FaultOptions.Parse("seed=7,duplicate=0.3,reorder=0.3");
}
