using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Platform.IntegrationTests.Infrastructure;
using Platform.Testing;
using Sidecar.Faults;

namespace Platform.IntegrationTests.SagaTests;

/// <summary>What every service says about one order at the end of a saga (<see cref="SagaErrors"/> joined by " | ").</summary>
public sealed record OrderWorld(
    string SagaStatus,
    string? SagaReason,
    string SagaErrors,
    string OrderStatus,
    string? CancellationReason,
    string? PaymentStatus,
    string? ReservationStatus,
    long Available,
    long Reserved,
    long Committed,
    long CreditBalance);

/// <summary>
/// One environment with orders, payments, inventory and order-saga invoking each other through the environment's
/// name registry. The saga's timeouts and retries are short, payments declines "declined-customer" and answers
/// "slow-customer" only after <see cref="SlowCharge"/> (longer than the saga's payment timeout).
/// </summary>
public abstract class SagaWorld(PostgresFixture postgres) : IAsyncLifetime
{
    public const string DeclinedCustomer = "declined-customer";
    public const string SlowCustomer = "slow-customer";
    public const decimal ReviewAbove = 500m;
    public static readonly TimeSpan ReviewTimeout = TimeSpan.FromSeconds(4);
    public static readonly TimeSpan PaymentTimeout = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan SlowCharge = TimeSpan.FromSeconds(4);
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);

    private ServiceEnvironment? _environment;

    public RunningService Orders { get; private set; } = null!;

    public RunningService Payments { get; private set; } = null!;

    public RunningService Inventory { get; private set; } = null!;

    public RunningService Saga { get; private set; } = null!;

    /// <summary>Faults of the orders sidecar (the event-start tests make its fast-path call fail).</summary>
    protected virtual FaultOptions? OrdersFaults => null;

    public async ValueTask InitializeAsync()
    {
        _environment = await ServiceEnvironment.StartAsync(postgres.Server);
        Payments = await _environment.StartServiceAsync<Payments.PaymentsOptions>("payments", new ServiceStartOptions
        {
            Settings = new Dictionary<string, string?>
            {
                ["Payments:Gateway:DeclinedCustomers:0"] = DeclinedCustomer,
                ["Payments:Gateway:SlowCustomers:0"] = SlowCustomer,
                ["Payments:Gateway:SlowResponse"] = SlowCharge.ToString("c", CultureInfo.InvariantCulture),
            },
        });
        Inventory = await _environment.StartServiceAsync<Inventory.InventoryOptions>("inventory");
        Saga = await _environment.StartServiceAsync<OrderSaga.OrderSagaOptions>("order-saga", new ServiceStartOptions
        {
            Settings = new Dictionary<string, string?>
            {
                ["OrderSaga:ReviewAbove"] = ReviewAbove.ToString(CultureInfo.InvariantCulture),
                ["OrderSaga:ReviewTimeout"] = ReviewTimeout.ToString("c", CultureInfo.InvariantCulture),
                ["OrderSaga:PaymentTimeout"] = PaymentTimeout.ToString("c", CultureInfo.InvariantCulture),
                ["OrderSaga:StepAttempts"] = "2",
                ["OrderSaga:StepRetryInterval"] = "00:00:00.100",
                ["OrderSaga:CompensationAttempts"] = "3",
                ["OrderSaga:CompensationRetryInterval"] = "00:00:00.100",
                ["OrderSaga:MaxRetryInterval"] = "00:00:00.500",
            },
        });
        Orders = await _environment.StartServiceAsync<Orders.OrdersOptions>("orders", new ServiceStartOptions
        {
            // Generous, so a test that reads the saga right after the 201 sees what the fast path started.
            Settings = new Dictionary<string, string?> { ["Orders:SagaFastPath:Timeout"] = "00:00:10" },
            Faults = OrdersFaults,
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (_environment is not null)
        {
            await _environment.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    public static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A product in the orders price replica (through a ProductCreated event) with <paramref name="stock"/> units at inventory.</summary>
    public async Task<string> NewProductAsync(decimal price, int stock)
    {
        var sku = NewId("SKU");
        var created = new
        {
            eventId = sku + ":1", sku, version = 1, name = "Product " + sku, category = "saga", price, currency = "EUR", active = true,
            occurredAt = DateTimeOffset.UtcNow,
        };
        await Orders.Dapr.PublishEventAsync("pubsub", "catalog", created, new Dictionary<string, string> { ["cloudevent.type"] = "ProductCreated" }, Ct);
        if (stock > 0)
        {
            var restocked = await Inventory.Http.PostAsJsonAsync($"/stock/{sku}/restock", new { quantity = stock, restockId = "initial" }, Ct);
            Assert.Equal(HttpStatusCode.OK, restocked.StatusCode);
        }

        await Eventually.MatchAsync(
            () => Orders.Dapr.GetStateAsync<JsonElement?>("orders-replica", "product:" + sku, cancellationToken: Ct),
            product => product is { ValueKind: JsonValueKind.Object } p && p.GetProperty("version").GetInt64() >= 1,
            Patience,
            $"orders has the price of {sku}");
        return sku;
    }

    /// <summary>Places an orchestrated order and returns its id and total.</summary>
    public async Task<(string OrderId, decimal Total)> PlaceOrderAsync(string customerId, string sku, int quantity)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/orders")
        {
            Content = JsonContent.Create(new { customerId, lines = new[] { new { sku, quantity } }, sagaMode = "Orchestration" }),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        using var response = await Orders.Http.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        return (body.RootElement.GetProperty("orderId").GetString()!, body.RootElement.GetProperty("total").GetDecimal());
    }

    public async Task<JsonElement?> SagaAsync(string orderId)
    {
        using var response = await Saga.Http.GetAsync($"/sagas/{orderId}", Ct);
        return response.StatusCode == HttpStatusCode.NotFound ? null : JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.Clone();
    }

    /// <summary>Waits until the saga has finished (any status but running), then reads every service.</summary>
    public async Task<OrderWorld> FinishedAsync(string orderId, string customerId, string sku)
    {
        await Eventually.MatchAsync(
            () => SagaAsync(orderId),
            saga => saga is { } s && s.GetProperty("status").GetString() != "running",
            Patience,
            $"the saga of {orderId} finishes");
        return await WorldAsync(orderId, customerId, sku);
    }

    public async Task<OrderWorld> WorldAsync(string orderId, string customerId, string sku)
    {
        var saga = (await SagaAsync(orderId))!.Value;
        var order = await JsonAsync(Orders.Http, $"/orders/{orderId}");
        var payment = await JsonAsync(Payments.Http, $"/payments/{orderId}");
        var reservation = await JsonAsync(Inventory.Http, $"/reservations/{orderId}");
        var stock = await JsonAsync(Inventory.Http, $"/stock/{sku}");
        var credit = await JsonAsync(Payments.Http, $"/customers/{customerId}/credit");
        return new OrderWorld(
            saga.GetProperty("status").GetString()!,
            saga.GetProperty("reason").GetString(),
            string.Join(" | ", saga.GetProperty("errors").EnumerateArray().Select(e => e.GetString())),
            order!.Value.GetProperty("status").GetString()!,
            order.Value.GetProperty("cancellationReason").GetString(),
            payment?.GetProperty("status").GetString(),
            reservation?.GetProperty("status").GetString(),
            stock?.GetProperty("available").GetInt64() ?? 0,
            stock?.GetProperty("reserved").GetInt64() ?? 0,
            stock?.GetProperty("committed").GetInt64() ?? 0,
            credit?.GetProperty("balance").GetInt64() ?? 0);
    }

    private static async Task<JsonElement?> JsonAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path, Ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.Clone();
    }
}
