using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Platform.IntegrationTests.Infrastructure;
using Sidecar.Faults;

namespace Platform.IntegrationTests.GatewayTests;

/// <summary>
/// A gateway whose dependencies are stand-ins that answer with the real services' response records (so the shapes
/// cannot drift) and can fail or hang on purpose. One per test: a circuit breaker's state must not leak between tests.
/// </summary>
public sealed class DegradedWorld : IAsyncDisposable
{
    public const string Sku = "SKU-DEGRADED-1";

    private readonly List<StandIn> _standIns = [];

    private DegradedWorld(ServiceEnvironment environment) => Environment = environment;

    public ServiceEnvironment Environment { get; }

    public RunningService Gateway { get; private set; } = null!;

    /// <param name="payments">Answers GET /payments/{orderId}; null = a healthy payment.</param>
    /// <param name="inventory">Answers GET /reservations/{orderId}; null = a healthy reservation.</param>
    /// <param name="withOrders">False: no orders app is running at all.</param>
    public static async Task<DegradedWorld> StartAsync(
        PostgresFixture postgres,
        Delegate? payments = null,
        Delegate? inventory = null,
        bool withOrders = true,
        IReadOnlyDictionary<string, string?>? gatewaySettings = null,
        FaultOptions? gatewayFaults = null)
    {
        var world = new DegradedWorld(await ServiceEnvironment.StartAsync(postgres.Server));
        try
        {
            if (withOrders)
            {
                await world.AddAsync("orders", app => app.MapGet("/orders/{orderId}", (string orderId) => Results.Json(Order(orderId), GatewayComponents.Json)));
            }

            await world.AddAsync("catalog", app => app.MapGet("/products/{sku}", (string sku) => Results.Json(Product(sku), GatewayComponents.Json)));
            var paymentsHandler = payments ?? ((string orderId) => Results.Json(Payment(orderId), GatewayComponents.Json));
            var inventoryHandler = inventory ?? ((string orderId) => Results.Json(Reservation(orderId), GatewayComponents.Json));
            await world.AddAsync("payments", app => app.MapGet("/payments/{orderId}", paymentsHandler));
            await world.AddAsync("inventory", app => app.MapGet("/reservations/{orderId}", inventoryHandler));
            world.Gateway = await world.Environment.StartServiceAsync<global::Gateway.GatewayOptions>("gateway", new ServiceStartOptions
            {
                Settings = gatewaySettings ?? new Dictionary<string, string?>(),
                Faults = gatewayFaults,
            });
            return world;
        }
        catch
        {
            await world.DisposeAsync();
            throw;
        }
    }

    public StandIn this[string appId] => _standIns.Single(s => s.Sidecar.Options.AppId == appId);

    public async ValueTask DisposeAsync()
    {
        foreach (var standIn in _standIns)
        {
            await standIn.DisposeAsync();
        }

        await Environment.DisposeAsync();
    }

    private async Task AddAsync(string appId, Action<WebApplication> map) =>
        _standIns.Add(await StandIn.StartAsync(Environment, appId, map));

    private static readonly DateTimeOffset At = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    public static global::Orders.Ordering.OrderResponse Order(string orderId) => new(
        orderId, "customer-1", global::Orders.Domain.OrderStatus.Placed, global::Orders.Domain.SagaMode.Orchestration,
        [new global::Orders.Ordering.OrderLineResponse(Sku, "Mug", 2, 5.00m, 10.00m)],
        "EUR", 10.00m, 1, At, At, null, null, null);

    public static global::Catalog.Products.ProductResponse Product(string sku) =>
        new(sku, "Mug", "A mug", "kitchen", 5.50m, "EUR", true, 2, At, At);

    public static global::Payments.Charges.PaymentResponse Payment(string orderId) =>
        new(orderId, "pay-1", "customer-1", 10.00m, "EUR", global::Payments.Domain.PaymentStatus.Succeeded, 2, At, At, null, null);

    public static global::Inventory.Reservations.ReservationResponse Reservation(string orderId) =>
        new(orderId, global::Inventory.Domain.ReservationStatus.Reserved, 2, [new global::Inventory.Reservations.ReservationLineResponse(Sku, 2)], [], null, At, At, false);
}
