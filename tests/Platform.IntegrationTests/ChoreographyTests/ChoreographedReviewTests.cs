using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Platform.IntegrationTests.Infrastructure;
using Sidecar.Faults;

namespace Platform.IntegrationTests.ChoreographyTests;

/// <summary>
/// orders, payments and inventory where orders above <see cref="ReviewAbove"/> wait for a manual review. The review
/// deadline is far away, so only the sidecar's trigger hook (not the clock) fires the expiry job.
/// </summary>
public sealed class ReviewChoreographyEnvironment(PostgresFixture postgres) : ChoreographyEnvironment(postgres)
{
    public const decimal ReviewAbove = 500m;
    public static readonly TimeSpan ReviewTimeout = TimeSpan.FromHours(2);

    protected override FaultOptions? Faults => null;

    protected override IReadOnlyDictionary<string, string?> OrdersSettings { get; } = new Dictionary<string, string?>
    {
        ["Orders:ReviewAbove"] = ReviewAbove.ToString(CultureInfo.InvariantCulture),
        ["Orders:ReviewTimeout"] = ReviewTimeout.ToString("c", CultureInfo.InvariantCulture),
    };
}

/// <summary>
/// The manual review of a large choreographed order, no coordinator: orders takes the decision (and expires it by a
/// Dapr job), payments holds the charge until it saw the approval, inventory releases the stock of a rejected or
/// expired order.
/// </summary>
public sealed class ChoreographedReviewTests(ReviewChoreographyEnvironment world) : IClassFixture<ReviewChoreographyEnvironment>
{
    private const decimal LargePrice = 600m;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task LargeOrder_BeforeApproval_StockReservedButNothingCharged()
    {
        var (orderId, _, _) = await PlaceLargeAsync();

        var order = await world.OrderAsync(orderId);
        Assert.Equal("Placed", order.GetProperty("status").GetString());
        Assert.Equal("Awaiting", order.GetProperty("review").GetProperty("status").GetString());
        await ChoreographyEnvironment.EventuallyAsync(() => world.ReservationStatusAsync(orderId), s => s == "Reserved", "inventory reserves the order's stock");
        // Payments has handled StockReserved once it recorded it; it still must not have charged.
        await ChoreographyEnvironment.EventuallyAsync(
            () => world.Payments.Dapr.GetStateAsync<JsonElement?>("payments-store", Payments.Choreography.SagaOrderStore.StockReservedKey(orderId), cancellationToken: Cancellation),
            recorded => recorded is not null,
            "payments records that the stock is reserved");
        Assert.Null(await world.PaymentAsync(orderId));
        Assert.Null(await world.GatewayChargeAsync(orderId));
        Assert.Equal("Placed", (await world.OrderAsync(orderId)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Approved_ChargedOnceConfirmedCommitted_RepeatAnswersTheSameRejectAfterwardsConflicts()
    {
        var (orderId, sku, customer) = await PlaceLargeAsync();

        using var approved = await ReviewAsync(orderId, new { approved = true, reviewer = "alice", reason = "known customer" });
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        var review = (await approved.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("review");
        Assert.Equal("Approved", review.GetProperty("status").GetString());
        Assert.Equal("alice", review.GetProperty("reviewer").GetString());

        var order = await world.TerminalOrderAsync(orderId);
        Assert.Equal("Confirmed", order.GetProperty("status").GetString());
        Assert.Equal("Succeeded", (await world.PaymentAsync(orderId))!.Value.GetProperty("status").GetString());
        Assert.Equal(1, (await world.GatewayChargeAsync(orderId))!.Value.GetProperty("charges").GetInt32());
        await ChoreographyEnvironment.EventuallyAsync(() => world.ReservationStatusAsync(orderId), s => s == "Committed", "inventory commits the stock");
        await ChoreographyEnvironment.EventuallyAsync(() => world.StockAsync(sku), stock => stock == (2L, 0L, 1L, 3L), "the committed unit leaves the SKU's reserved count");
        await ChoreographyEnvironment.EventuallyAsync(() => world.CreditBalanceAsync(customer), balance => balance == 600, "payments awards the points");

        using var again = await ReviewAsync(orderId, new { approved = true, reviewer = "bob" });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("alice", (await again.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("review").GetProperty("reviewer").GetString());
        using var rejected = await ReviewAsync(orderId, new { approved = false, reviewer = "bob" });
        await AssertProblemAsync(rejected, HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Rejected_CancelledWithReasonStockReleasedNothingCharged()
    {
        var (orderId, sku, customer) = await PlaceLargeAsync();
        await ChoreographyEnvironment.EventuallyAsync(() => world.ReservationStatusAsync(orderId), s => s == "Reserved", "inventory reserves the order's stock");

        using var rejected = await ReviewAsync(orderId, new { approved = false, reviewer = "alice", reason = "suspicious address" });
        Assert.Equal(HttpStatusCode.OK, rejected.StatusCode);

        var order = await world.OrderAsync(orderId);
        Assert.Equal("Cancelled", order.GetProperty("status").GetString());
        Assert.Equal("rejected in review: suspicious address", order.GetProperty("cancellationReason").GetString());
        await ChoreographyEnvironment.EventuallyAsync(() => world.ReservationStatusAsync(orderId), s => s == "Released", "inventory releases the stock of the rejected order");
        await ChoreographyEnvironment.EventuallyAsync(() => world.StockAsync(sku), stock => stock == (3L, 0L, 0L, 3L), "the released unit is available again");
        Assert.Null(await world.PaymentAsync(orderId));
        Assert.Null(await world.GatewayChargeAsync(orderId));
        Assert.Null(await world.CreditAsync(customer));

        using var again = await ReviewAsync(orderId, new { approved = false, reviewer = "alice" });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        using var approved = await ReviewAsync(orderId, new { approved = true, reviewer = "bob" });
        await AssertProblemAsync(approved, HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task DeadlineJob_Fires_CancelledAsExpiredStockReleased_FiringAgainChangesNothing()
    {
        var (orderId, sku, _) = await PlaceLargeAsync();
        var placed = await world.OrderAsync(orderId);
        var deadline = placed.GetProperty("review").GetProperty("deadline").GetDateTimeOffset();
        Assert.Equal(placed.GetProperty("placedAt").GetDateTimeOffset() + ReviewChoreographyEnvironment.ReviewTimeout, deadline);

        // The job is scheduled with the sidecar's Jobs API at the review's deadline.
        using var sidecar = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{world.Orders.Sidecar.Options.HttpPort}") };
        var job = await sidecar.GetFromJsonAsync<JsonElement>($"/v1.0-alpha1/jobs/order-review-{orderId}", Cancellation);
        Assert.Equal(deadline, DateTimeOffset.Parse(job.GetProperty("dueTime").GetString()!, CultureInfo.InvariantCulture));
        // The failure policy as the Jobs API reference spells it (failure_policy, max_retries) reached the scheduler.
        var retries = job.GetProperty("failurePolicy").GetProperty("constant");
        Assert.Equal(("5s", 720), (retries.GetProperty("interval").GetString(), retries.GetProperty("maxRetries").GetInt32()));
        await ChoreographyEnvironment.EventuallyAsync(() => world.ReservationStatusAsync(orderId), s => s == "Reserved", "inventory reserves the order's stock");

        using (var fired = await sidecar.PostAsync($"/v1.0-test/jobs/order-review-{orderId}/trigger", content: null, Cancellation))
        {
            Assert.Equal(HttpStatusCode.NoContent, fired.StatusCode);
        }

        var expired = await world.OrderAsync(orderId);
        Assert.Equal("Cancelled", expired.GetProperty("status").GetString());
        Assert.Equal("review expired", expired.GetProperty("cancellationReason").GetString());
        Assert.Equal("Expired", expired.GetProperty("review").GetProperty("status").GetString());
        await ChoreographyEnvironment.EventuallyAsync(() => world.ReservationStatusAsync(orderId), s => s == "Released", "inventory releases the stock of the expired order");
        await ChoreographyEnvironment.EventuallyAsync(() => world.StockAsync(sku), stock => stock == (3L, 0L, 0L, 3L), "the released unit is available again");
        Assert.Null(await world.PaymentAsync(orderId));

        using var job2 = new HttpRequestMessage(HttpMethod.Post, $"/job/order-review-{orderId}");
        using var firedAgain = await world.Orders.Http.SendAsync(job2, Cancellation);
        Assert.Equal(HttpStatusCode.OK, firedAgain.StatusCode);
        Assert.Equal(expired.GetProperty("version").GetInt64(), (await world.OrderAsync(orderId)).GetProperty("version").GetInt64());
        using var late = await ReviewAsync(orderId, new { approved = true, reviewer = "alice" });
        await AssertProblemAsync(late, HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task DeadlineJob_ScheduledAgainByARetriedPlacement_FirstJobKept()
    {
        var (orderId, _, _) = await PlaceLargeAsync();
        using var sidecar = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{world.Orders.Sidecar.Options.HttpPort}") };
        var first = await sidecar.GetFromJsonAsync<JsonElement>($"/v1.0-alpha1/jobs/order-review-{orderId}", Cancellation);

        // The sidecar refuses a second job of the same name (no overwrite is sent); the existing job satisfies the retry.
        var deadlines = new Orders.Ordering.ReviewDeadlines(sidecar);
        await deadlines.ScheduleAsync(orderId, DateTimeOffset.UtcNow.AddHours(5), Cancellation);

        var kept = await sidecar.GetFromJsonAsync<JsonElement>($"/v1.0-alpha1/jobs/order-review-{orderId}", Cancellation);
        Assert.Equal(first.GetProperty("dueTime").GetString(), kept.GetProperty("dueTime").GetString());
    }

    [Fact]
    public async Task DeadlineJob_AfterApproval_ChangesNothing()
    {
        var (orderId, _, _) = await PlaceLargeAsync();
        using (var approved = await ReviewAsync(orderId, new { approved = true, reviewer = "alice" }))
        {
            Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        }

        using var fired = await world.Orders.Http.PostAsync($"/job/order-review-{orderId}", content: null, Cancellation);
        Assert.Equal(HttpStatusCode.OK, fired.StatusCode);

        Assert.Equal("Confirmed", (await world.TerminalOrderAsync(orderId)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Review_BadInputUnknownOrderWrongModeOrNoReview_ProblemDetails()
    {
        var sku = await world.NewProductAsync(LargePrice, units: 10);
        var orchestrated = await world.PlaceAsync(ChoreographyEnvironment.NewId("cust"), sku, quantity: 1, sagaMode: "Orchestration");
        var small = await world.PlaceAsync(ChoreographyEnvironment.NewId("cust"), await world.NewProductAsync(20m, units: 10), quantity: 1);
        var (large, _, _) = await PlaceLargeAsync();

        using var noReviewer = await ReviewAsync(large, new { approved = true });
        await AssertProblemAsync(noReviewer, HttpStatusCode.BadRequest);
        using var noDecision = await ReviewAsync(large, new { reviewer = "alice" });
        await AssertProblemAsync(noDecision, HttpStatusCode.BadRequest);
        using var unknown = await ReviewAsync(Guid.NewGuid().ToString(), new { approved = true, reviewer = "alice" });
        await AssertProblemAsync(unknown, HttpStatusCode.NotFound);
        using var notAnId = await ReviewAsync("not-an-order", new { approved = true, reviewer = "alice" });
        await AssertProblemAsync(notAnId, HttpStatusCode.NotFound);
        using var wrongMode = await ReviewAsync(orchestrated, new { approved = true, reviewer = "alice" });
        await AssertProblemAsync(wrongMode, HttpStatusCode.Conflict);
        using var needsNone = await ReviewAsync(small, new { approved = true, reviewer = "alice" });
        await AssertProblemAsync(needsNone, HttpStatusCode.Conflict);
        using var stale = new HttpRequestMessage(HttpMethod.Post, $"/orders/{large}/review") { Content = JsonContent.Create(new { approved = true, reviewer = "alice" }) };
        stale.Headers.TryAddWithoutValidation("If-Match", "\"99\"");
        using var staleAnswer = await world.Orders.Http.SendAsync(stale, Cancellation);
        await AssertProblemAsync(staleAnswer, HttpStatusCode.PreconditionFailed);
        Assert.Equal("Awaiting", (await world.OrderAsync(large)).GetProperty("review").GetProperty("status").GetString());
    }

    private async Task<(string OrderId, string Sku, string Customer)> PlaceLargeAsync()
    {
        var sku = await world.NewProductAsync(LargePrice, units: 3);
        var customer = ChoreographyEnvironment.NewId("cust");
        return (await world.PlaceAsync(customer, sku, quantity: 1), sku, customer);
    }

    private Task<HttpResponseMessage> ReviewAsync(string orderId, object body) =>
        world.Orders.Http.PostAsJsonAsync($"/orders/{orderId}/review", body, Cancellation);

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)expected, (await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("status").GetInt32());
    }
}
