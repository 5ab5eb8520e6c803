using System.Net;
using System.Text.Json;
using EndToEnd.Infrastructure;

namespace EndToEnd.Scenarios;

/// <summary>
/// What every service shows for one order once its saga is over: orders, payments and its gateway simulator,
/// inventory (reservation and the SKU's stock), the customer's credit, order-saga, the order-query read model and
/// the gateway's composed view. <c>none</c> stands for "this service has no record of the order".
/// </summary>
public sealed record FinalState(
    string Order,
    string Payment,
    string GatewayOutcome,
    int GatewayCharges,
    int GatewayRefunds,
    string Reservation,
    long Available,
    long Reserved,
    long Committed,
    long Credit,
    string Saga,
    string ReadModel,
    string ReadModelPayment,
    string ReadModelStock,
    string Composed);

/// <summary>Runs a scenario in a shared run and asserts its final state in every service.</summary>
public static class ScenarioRunner
{
    private const string None = "none";
    private static readonly TimeSpan DefaultSettleTimeout = TimeSpan.FromSeconds(60);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>Places the scenario's order, drives it, and asserts what every service ends with.</summary>
    public static async Task<AcknowledgedOrder> RunAsync(SagaRunFixture fixture, SagaScenario scenario)
    {
        await fixture.StockProductAsync(scenario.Sku, scenario.UnitPrice, scenario.Restock);
        var order = await fixture.PlaceAsync(scenario.CustomerId, scenario.Sku, scenario.Quantity);
        if (scenario.DriveAsync is { } drive)
        {
            await drive(new ScenarioContext(fixture, order));
        }

        await AssertFinalStateAsync(fixture, scenario, order);
        return order;
    }

    /// <param name="settleTimeout">How long the saga may take to end (crash tests wait for an app's restart too).</param>
    public static async Task AssertFinalStateAsync(SagaRunFixture fixture, SagaScenario scenario, AcknowledgedOrder order, TimeSpan? settleTimeout = null)
    {
        var outcome = scenario.Expect(fixture.Mode);
        var expected = Expected(fixture.Mode, scenario, outcome);
        var actual = await Settle.UntilAsync(() => TryReadAsync(fixture, scenario, order), state => state == expected, settleTimeout ?? DefaultSettleTimeout);
        if (actual != expected)
        {
            // The saga's own step log says where it stands (or stopped).
            using var saga = await GetAsync(fixture, "order-saga", $"/sagas/{order.OrderId}");
            Assert.Fail($"order {order.OrderId} of scenario {scenario.Name}:\nexpected {expected}\nactual   {actual}\nsaga: {saga?.RootElement.ToString() ?? "none"}");
        }

        if (outcome.Reason is { } reason)
        {
            using var stored = await GetAsync(fixture, "orders", $"/orders/{order.OrderId}");
            Assert.Contains(reason, stored!.RootElement.GetProperty("cancellationReason").GetString(), StringComparison.Ordinal);
            if (fixture.Mode == SagaRunFixture.Orchestration && outcome.ByCustomer)
            {
                // The fulfilment completed; the customer's cancellation ran as a workflow of its own. The order reads
                // Cancelled as soon as its last step ran, before the workflow has recorded it and finished: wait.
                var status = await Settle.UntilAsync(
                    async () =>
                    {
                        using var cancellation = await GetAsync(fixture, "order-saga", $"/sagas/{order.OrderId}/cancellation");
                        return cancellation?.RootElement.GetProperty("status").GetString();
                    },
                    state => state == "completed",
                    settleTimeout ?? DefaultSettleTimeout);
                Assert.Equal("completed", status);
            }
            else if (fixture.Mode == SagaRunFixture.Orchestration)
            {
                using var saga = await GetAsync(fixture, "order-saga", $"/sagas/{order.OrderId}");
                Assert.Contains(reason, saga!.RootElement.GetProperty("reason").GetString(), StringComparison.Ordinal);
            }
        }
    }

    private static FinalState Expected(string mode, SagaScenario scenario, ExpectedOutcome outcome)
    {
        var confirmed = outcome.Order == "Confirmed";
        return new FinalState(
            outcome.Order,
            outcome.Payment ?? None,
            outcome.Payment switch { null => None, "Failed" => "Declined", _ => "Approved" },
            outcome.Payment is null ? 0 : 1,
            outcome.Payment == "Refunded" ? 1 : 0,
            outcome.Reservation ?? None,
            confirmed ? scenario.Restock - scenario.Quantity : scenario.Restock,
            0,
            confirmed ? scenario.Quantity : 0,
            confirmed ? (long)Math.Floor(scenario.UnitPrice * scenario.Quantity) : 0,
            mode != SagaRunFixture.Orchestration ? None : confirmed || outcome.ByCustomer ? "completed" : "compensated",
            outcome.Order,
            outcome.Payment ?? None,
            outcome.Reservation ?? None,
            outcome.Order);
    }

    /// <summary>The state, or null while an app is down (crash tests kill them; the runner restarts them).</summary>
    private static async Task<FinalState?> TryReadAsync(SagaRunFixture fixture, SagaScenario scenario, AcknowledgedOrder order)
    {
        try
        {
            return await ReadAsync(fixture, scenario, order);
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private static async Task<FinalState> ReadAsync(SagaRunFixture fixture, SagaScenario scenario, AcknowledgedOrder order)
    {
        var id = order.OrderId;
        using var stored = await GetAsync(fixture, "orders", $"/orders/{id}");
        using var payment = await GetAsync(fixture, "payments", $"/payments/{id}");
        using var charge = await GetAsync(fixture, "payments", $"/gateway/charges/{id}");
        using var reservation = await GetAsync(fixture, "inventory", $"/reservations/{id}");
        using var stock = await GetAsync(fixture, "inventory", $"/stock/{scenario.Sku}");
        using var credit = await GetAsync(fixture, "payments", $"/customers/{order.CustomerId}/credit");
        using var saga = await GetAsync(fixture, "order-saga", $"/sagas/{id}");
        using var summary = await GetAsync(fixture, "order-query", $"/orders/{id}/summary");
        using var composed = await GetAsync(fixture, "gateway", $"/api/orders/{id}");
        return new FinalState(
            Text(stored, "status"),
            Text(payment, "status"),
            Text(charge, "outcome"),
            charge?.RootElement.GetProperty("charges").GetInt32() ?? 0,
            charge?.RootElement.GetProperty("refunds").GetInt32() ?? 0,
            Text(reservation, "status"),
            stock!.RootElement.GetProperty("available").GetInt64(),
            stock.RootElement.GetProperty("reserved").GetInt64(),
            stock.RootElement.GetProperty("committed").GetInt64(),
            credit?.RootElement.GetProperty("balance").GetInt64() ?? 0,
            Text(saga, "status"),
            Text(summary, "sagaStatus"),
            Text(summary, "payment", "status"),
            Text(summary, "stock", "status"),
            Text(composed, "order", "status"));
    }

    private static string Text(JsonDocument? document, params string[] path)
    {
        var element = document?.RootElement;
        foreach (var name in path)
        {
            element = element is { ValueKind: JsonValueKind.Object } found && found.TryGetProperty(name, out var child) ? child : null;
        }

        return element is { ValueKind: JsonValueKind.String } text ? text.GetString()! : None;
    }

    /// <summary>The resource as JSON, or null when the service answers 404 (it has no record of it).</summary>
    private static async Task<JsonDocument?> GetAsync(SagaRunFixture fixture, string appId, string path)
    {
        using var response = await fixture.Client(appId).GetAsync(path, Cancel);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel));
    }
}
