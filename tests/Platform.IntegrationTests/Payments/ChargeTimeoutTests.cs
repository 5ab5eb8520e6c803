using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrderQuery.Domain;
using OrderQuery.Projections;
using OrderQuery.Rebuild;
using Payments.Domain;
using Platform.IntegrationTests.Infrastructure;
using Platform.Testing;

namespace Platform.IntegrationTests.PaymentsService;

/// <summary>
/// Payments with a gateway far slower than the choreographed charge's timeout for two customers (one the gateway
/// approves, one it declines), and a late-outcome check that only the sidecar's trigger hook fires (its interval is
/// an hour), so each test decides when the check runs.
/// </summary>
public sealed class ChargeTimeoutFixture(PostgresFixture postgres) : PaymentsFixture(postgres)
{
    public const string SlowPayer = "slow-payer";
    public const string SlowDecliner = "slow-decliner";
    public const string ChargeTimeout = "00:00:00.500";

    protected override Dictionary<string, string?> Settings => new()
    {
        ["Payments:ChargeTimeout"] = ChargeTimeout,
        ["Payments:LateOutcomeCheckInterval"] = "01:00:00",
        ["Payments:Gateway:DeclinedCustomers:0"] = SlowDecliner,
        ["Payments:Gateway:SlowCustomers:0"] = SlowPayer,
        ["Payments:Gateway:SlowCustomers:1"] = SlowDecliner,
        // Far beyond the timeout, so a check fired right after the timeout still finds no answer, even on a busy machine.
        ["Payments:Gateway:SlowResponse"] = "00:00:10",
    };
}

/// <summary>
/// The choreographed charge's timeout (StockReserved delivered to payments' route as its sidecar would): TimedOut
/// and PaymentFailed in one outbox transaction, the late-outcome job, and what its firings do with a late approval
/// or decline — every step at least once.
/// </summary>
public sealed class ChargeTimeoutTests(ChargeTimeoutFixture payments) : IClassFixture<ChargeTimeoutFixture>
{
    private const decimal Amount = 20m;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StockReserved_GatewayTooSlow_TimedOutPaymentFailedAndTheCheckScheduled()
    {
        var orderId = await PlacedAsync(ChargeTimeoutFixture.SlowPayer);

        Assert.Equal("SUCCESS", await DeliverAsync("StockReserved", Reserved(orderId)));

        var payment = await PaymentAsync(orderId);
        Assert.Equal(("TimedOut", 2L, Payment.TimeoutReason), (payment.GetProperty("status").GetString(), payment.GetProperty("version").GetInt64(), payment.GetProperty("failureReason").GetString()));
        Assert.Equal(payment.GetProperty("updatedAt").GetDateTimeOffset(), payment.GetProperty("timedOutAt").GetDateTimeOffset());
        var job = await SidecarJobAsync(orderId);
        Assert.Equal("@every 3600s", job?.GetProperty("schedule").GetString());

        var events = await payments.SettledEventsOfOrderAsync(orderId, "PaymentFailed");
        var failed = Assert.Single(events);
        Assert.Equal("PaymentFailed", failed.GetProperty("type").GetString());
        Assert.Equal((Payment.TimeoutReason, 2L), (failed.GetProperty("data").GetProperty("reason").GetString(), failed.GetProperty("data").GetProperty("version").GetInt64()));
        await AssertRebuildEqualsTheLiveEventsAsync(orderId, events);
    }

    [Fact]
    public async Task LateApproval_CheckFires_RefundedOnceChargedOnceAndTheCheckEnds()
    {
        var orderId = await PlacedAsync(ChargeTimeoutFixture.SlowPayer);
        Assert.Equal("SUCCESS", await DeliverAsync("StockReserved", Reserved(orderId)));

        // Fired before the gateway answered: nothing changes, the check stays for the next firing.
        Assert.Equal(HttpStatusCode.NoContent, await TriggerAsync(orderId));
        Assert.Null((await GatewayAsync(orderId)).Outcome);
        Assert.Equal("TimedOut", (await PaymentAsync(orderId)).GetProperty("status").GetString());
        Assert.NotNull(await SidecarJobAsync(orderId));

        await AnsweredAsync(orderId);
        Assert.Equal(HttpStatusCode.NoContent, await TriggerAsync(orderId));

        var refunded = await PaymentAsync(orderId);
        Assert.Equal(("Refunded", 3L, Payment.LateChargeRefundReason), (refunded.GetProperty("status").GetString(), refunded.GetProperty("version").GetInt64(), refunded.GetProperty("refundReason").GetString()));
        Assert.Equal(Payment.TimeoutReason, refunded.GetProperty("failureReason").GetString());
        Assert.Equal(JsonValueKind.Null, refunded.GetProperty("succeededAt").ValueKind);
        Assert.Null(await SidecarJobAsync(orderId));
        var gateway = await GatewayAsync(orderId);
        Assert.Equal(("Approved", 1, 1), (gateway.Outcome, gateway.Charges, gateway.Refunds));

        var events = await payments.SettledEventsOfOrderAsync(orderId, "PaymentFailed", "PaymentRefunded");
        Assert.Equal(["PaymentFailed:2", "PaymentRefunded:3"], events.Select(Describe).Order());
        await AssertRebuildEqualsTheLiveEventsAsync(orderId, events);
    }

    [Fact]
    public async Task LateDecline_CheckFires_FailedWithoutASecondPaymentFailed()
    {
        var orderId = await PlacedAsync(ChargeTimeoutFixture.SlowDecliner);
        Assert.Equal("SUCCESS", await DeliverAsync("StockReserved", Reserved(orderId)));
        await AnsweredAsync(orderId);

        Assert.Equal(HttpStatusCode.NoContent, await TriggerAsync(orderId));

        var failed = await PaymentAsync(orderId);
        Assert.Equal(("Failed", 3L, Payment.TimeoutReason), (failed.GetProperty("status").GetString(), failed.GetProperty("version").GetInt64(), failed.GetProperty("failureReason").GetString()));
        Assert.Null(await SidecarJobAsync(orderId));
        var gateway = await GatewayAsync(orderId);
        Assert.Equal(("Declined", 1, 0), (gateway.Outcome, gateway.Charges, gateway.Refunds));
        var events = await payments.SettledEventsOfOrderAsync(orderId, "PaymentFailed");
        Assert.Equal(["PaymentFailed:2"], events.Select(Describe));
        await AssertRebuildEqualsTheLiveEventsAsync(orderId, events);
    }

    [Fact]
    public async Task StockReservedRedelivered_AfterTheTimeoutAndAfterTheRefund_ChangesNothing()
    {
        var orderId = await PlacedAsync(ChargeTimeoutFixture.SlowPayer);
        Assert.Equal("SUCCESS", await DeliverAsync("StockReserved", Reserved(orderId)));

        var again = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => DeliverAsync("StockReserved", Reserved(orderId))));
        Assert.All(again, answer => Assert.Equal("SUCCESS", answer));
        Assert.Equal(("TimedOut", 2L), Status(await PaymentAsync(orderId)));

        await AnsweredAsync(orderId);
        Assert.Equal(HttpStatusCode.NoContent, await TriggerAsync(orderId));
        Assert.Equal("SUCCESS", await DeliverAsync("StockReserved", Reserved(orderId)));

        Assert.Equal(("Refunded", 3L), Status(await PaymentAsync(orderId)));
        var gateway = await GatewayAsync(orderId);
        Assert.Equal((1, 1), (gateway.Charges, gateway.Refunds));
        var events = await payments.SettledEventsOfOrderAsync(orderId, "PaymentFailed", "PaymentRefunded");
        Assert.Equal(["PaymentFailed:2", "PaymentRefunded:3"], events.Select(Describe).Order());
    }

    [Fact]
    public async Task CheckFiredTwiceAtOnceAndAfterItsEnd_RefundsOnce()
    {
        var orderId = await PlacedAsync(ChargeTimeoutFixture.SlowPayer);
        Assert.Equal("SUCCESS", await DeliverAsync("StockReserved", Reserved(orderId)));
        await AnsweredAsync(orderId);

        // Delivered straight to the app's route, as a Scheduler delivering the same job twice would.
        var answers = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => FireAsync(orderId)));
        Assert.All(answers, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(HttpStatusCode.OK, await FireAsync(orderId));

        Assert.Equal(("Refunded", 3L), Status(await PaymentAsync(orderId)));
        Assert.Equal(1, (await GatewayAsync(orderId)).Refunds);
        var events = await payments.SettledEventsOfOrderAsync(orderId, "PaymentFailed", "PaymentRefunded");
        Assert.Equal(["PaymentFailed:2", "PaymentRefunded:3"], events.Select(Describe).Order());
    }

    [Fact]
    public async Task PendingLeftByACrash_Redelivery_AsksTheGatewayWithTheDeadline()
    {
        // A handler that died after creating the pending payment, before the gateway was asked.
        var orderId = await PlacedAsync(ChargeTimeoutFixture.SlowPayer);
        await payments.Service.Dapr.SaveStateAsync(
            global::Payments.DaprNames.StateStore, $"payment-{orderId}", Payment.Start(new ChargeCommand(orderId, ChargeTimeoutFixture.SlowPayer, Amount, "EUR"), DateTimeOffset.UtcNow), cancellationToken: Cancellation);
        Assert.Equal(HttpStatusCode.OK, await FireAsync(orderId));

        Assert.Equal("SUCCESS", await DeliverAsync("StockReserved", Reserved(orderId)));

        Assert.Equal(("TimedOut", 2L), Status(await PaymentAsync(orderId)));
        Assert.NotNull(await SidecarJobAsync(orderId));
        Assert.Equal(1, (await GatewayAsync(orderId)).Charges);
    }

    [Fact]
    public async Task CheckOfAMissingPaymentOrAnotherJob_ChangesNothing()
    {
        var orderId = Guid.NewGuid().ToString();

        Assert.Equal(HttpStatusCode.OK, await FireAsync(orderId));
        using var other = await payments.Http.PostAsync("/job/order-review-x", content: null, Cancellation);

        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        using var missing = await payments.Http.GetAsync($"/payments/{orderId}", Cancellation);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task ChargeApi_SlowGateway_IsNotBounded()
    {
        // POST /payments (the orchestrated saga's call) waits for the gateway as before: its caller has its own timer.
        var orderId = PaymentsFixture.NewId("order");

        using var response = await payments.ChargeAsync(orderId, ChargeTimeoutFixture.SlowPayer, Amount);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("Succeeded", (await response.Content.ReadFromJsonAsync<PaymentDto>(Cancellation))!.Status);
        Assert.Null(await SidecarJobAsync(orderId));
    }

    private async Task<string> PlacedAsync(string customerId)
    {
        var orderId = Guid.NewGuid().ToString();
        var placed = new
        {
            eventId = $"{orderId}:1", orderId, customerId, version = 1L, sagaMode = "Choreography",
            lines = new[] { new { sku = "SKU-SLOW", productName = "Mug", quantity = 1, unitPrice = Amount } },
            currency = "EUR", total = Amount, occurredAt = DateTimeOffset.UtcNow,
        };
        Assert.Equal("SUCCESS", await DeliverAsync("OrderPlaced", placed));
        return orderId;
    }

    private static object Reserved(string orderId) => new { eventId = $"{orderId}:2", orderId, version = 2L, lines = new[] { new { sku = "SKU-SLOW", quantity = 1 } }, occurredAt = DateTimeOffset.UtcNow };

    /// <summary>Delivers an event to payments' route for its type and answers the Dapr status it returned.</summary>
    private async Task<string> DeliverAsync(string type, object payload)
    {
        using var response = await payments.Http.PostAsJsonAsync($"/events/saga/{type}", payload, Cancellation);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("status").GetString()!;
    }

    private async Task<JsonElement> PaymentAsync(string orderId) =>
        await payments.Http.GetFromJsonAsync<JsonElement>($"/payments/{orderId}", Cancellation);

    private async Task<GatewayChargeDto> GatewayAsync(string orderId) =>
        (await payments.Http.GetFromJsonAsync<GatewayChargeDto>($"/gateway/charges/{orderId}", Cancellation))!;

    /// <summary>Waits until the slow gateway has answered the charge (its outcome is recorded).</summary>
    private Task<GatewayChargeDto> AnsweredAsync(string orderId) =>
        Eventually.MatchAsync(() => GatewayAsync(orderId), charge => charge.Outcome is not null, PaymentsFixture.Patience, $"the gateway answers the charge of order {orderId}");

    private HttpClient Sidecar() => new() { BaseAddress = new Uri($"http://127.0.0.1:{payments.Service.Sidecar.Options.HttpPort}") };

    /// <summary>The job as the sidecar's Jobs API shows it; null when there is none.</summary>
    private async Task<JsonElement?> SidecarJobAsync(string orderId)
    {
        using var sidecar = Sidecar();
        using var response = await sidecar.GetAsync($"/v1.0-alpha1/jobs/payment-timeout-{orderId}", Cancellation);
        return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation) : null;
    }

    /// <summary>Fires the check now through the sidecar's test hook (as the Scheduler would, counting as a trigger).</summary>
    private async Task<HttpStatusCode> TriggerAsync(string orderId)
    {
        using var sidecar = Sidecar();
        using var response = await sidecar.PostAsync($"/v1.0-test/jobs/payment-timeout-{orderId}/trigger", content: null, Cancellation);
        return response.StatusCode;
    }

    private async Task<HttpStatusCode> FireAsync(string orderId)
    {
        using var response = await payments.Http.PostAsync($"/job/payment-timeout-{orderId}", content: null, Cancellation);
        return response.StatusCode;
    }

    /// <summary>
    /// order-query's view of the payment from the events on the stream (the live path) equals its view from the
    /// payment record (the rebuild reads GET /payments/{orderId}): same facts, timeline and final status.
    /// </summary>
    private async Task AssertRebuildEqualsTheLiveEventsAsync(string orderId, IReadOnlyList<JsonElement> events)
    {
        var live = events
            .Select(e => IncomingEvents.Parse("payments", e.GetProperty("type").GetString()!, e.GetProperty("data")))
            .Select(parsed => Assert.IsType<ParsedEvent.ForOrder>(parsed).Fact)
            .Aggregate(OrderSummary.Empty(orderId), OrderProjection.Apply);
        var record = await payments.Http.GetFromJsonAsync<PaymentCopy>($"/payments/{orderId}", new JsonSerializerOptions(JsonSerializerDefaults.Web), Cancellation);
        var rebuilt = SourceFacts.FactsOf(record!).Aggregate(OrderSummary.Empty(orderId), OrderProjection.Apply);

        Assert.Equal(live with { Timeline = [] }, rebuilt with { Timeline = [] });
        Assert.Equal(live.Timeline, rebuilt.Timeline);
    }

    private static (string?, long) Status(JsonElement payment) => (payment.GetProperty("status").GetString(), payment.GetProperty("version").GetInt64());

    private static string Describe(JsonElement cloudEvent) => $"{cloudEvent.GetProperty("type").GetString()}:{cloudEvent.GetProperty("data").GetProperty("version").GetInt64()}";
}
