using EndToEnd.Infrastructure;

namespace EndToEnd.Scenarios;

/// <summary>How the simulated payment gateway treats a scenario's customer (each run lists them in its settings).</summary>
public enum Payer
{
    Pays,
    Declines,
    /// <summary>The gateway answers after <see cref="ModeRunFixture.SlowResponse"/>, longer than the saga's payment timeout.</summary>
    Slow,
}

/// <summary>
/// The final state a scenario ends in. Stock, credit and the saga's own status follow from the order's status,
/// the gateway record from the payment's: a payment means one executed charge, refunded once if Refunded.
/// </summary>
/// <param name="Reason">A fragment the order's cancellation reason (and the saga's) must contain.</param>
/// <param name="Payment">The payment's status, or null when payments never charged the order.</param>
/// <param name="Reservation">The reservation's status, or null when inventory never saw the order.</param>
/// <param name="ByCustomer">Cancelled by the customer after confirmation: the fulfilment completed, then the cancellation compensated it.</param>
public sealed record ExpectedOutcome(string Order, string? Reason, string? Payment, string? Reservation, bool ByCustomer = false)
{
    public static readonly ExpectedOutcome Confirmed = new("Confirmed", null, "Succeeded", "Committed");

    public static ExpectedOutcome Cancelled(string reason, string? payment, string? reservation) => new("Cancelled", reason, payment, reservation);

    /// <summary>Refunded, committed stock returned, credit revoked.</summary>
    public static ExpectedOutcome CancelledByCustomer(string reason) => new("Cancelled", reason, "Refunded", "Returned", ByCustomer: true);
}

/// <summary>
/// One end-to-end case of the order saga, the same for both styles: a customer and a SKU of its own (named after
/// the scenario), what the test does while the saga runs, and the outcome it expects per style.
/// </summary>
public sealed record SagaScenario(
    string Name,
    Payer Payer,
    decimal UnitPrice,
    int Quantity,
    int Restock,
    Func<ScenarioContext, Task>? DriveAsync,
    Func<string, ExpectedOutcome> Expect)
{
    public string CustomerId => Name;

    public string Sku => "SKU-" + Name.ToUpperInvariant();

    public override string ToString() => Name;
}

/// <summary>
/// The scenario matrix of issue 5. Both styles review large orders (orders owns the review of a choreographed one)
/// and end the same way; choreography has no payment deadline yet, so its slow payer is simply fulfilled.
/// </summary>
public static class SagaScenarios
{
    /// <summary>Orders above this wait for a review (OrderSaga:ReviewAbove and Orders:ReviewAbove of the runs).</summary>
    public const decimal ReviewAbove = 100m;

    private const decimal SmallPrice = 12.50m;
    private const string CustomerCancellationReason = "changed my mind";
    private const decimal LargePrice = 150m;

    public static readonly IReadOnlyList<SagaScenario> All =
    [
        new("happy", Payer.Pays, SmallPrice, 2, 10, null, _ => ExpectedOutcome.Confirmed),
        new("out-of-stock", Payer.Pays, SmallPrice, 2, 1, null, mode => ExpectedOutcome.Cancelled(
            mode == SagaRunFixture.Orchestration ? "out of stock" : "Stock rejected", null, "Rejected")),
        new("declined", Payer.Declines, SmallPrice, 2, 10, null, mode => ExpectedOutcome.Cancelled(
            mode == SagaRunFixture.Orchestration ? "payment declined" : "Payment failed", "Failed", "Released")),
        // The late charge succeeds after the deadline: the orchestrated saga's timer and the choreographed charge's
        // own (Payments:ChargeTimeout, then PaymentFailed) cancel the order, and the late charge is refunded.
        new("payment-timeout", Payer.Slow, SmallPrice, 2, 10, null, mode => ExpectedOutcome.Cancelled(
            mode == SagaRunFixture.Orchestration ? "payment timed out" : "Payment failed: payment timed out", "Refunded", "Released")),
        new("review-approved", Payer.Pays, LargePrice, 1, 10, context => context.ReviewAsync(approved: true), _ => ExpectedOutcome.Confirmed),
        new("review-rejected", Payer.Pays, LargePrice, 1, 10, context => context.ReviewAsync(approved: false),
            _ => ExpectedOutcome.Cancelled("rejected in review", null, "Released")),
        new("review-expired", Payer.Pays, LargePrice, 1, 10, context => context.AwaitReviewAsync(),
            _ => ExpectedOutcome.Cancelled("review expired", null, "Released")),
        new("cancelled-by-customer", Payer.Pays, SmallPrice, 2, 10, context => context.CancelAfterConfirmationAsync(CustomerCancellationReason),
            _ => ExpectedOutcome.CancelledByCustomer(CustomerCancellationReason)),
    ];

    /// <summary>The same matrix under other customers and SKUs, to run all at once beside the one-by-one runs.</summary>
    public static readonly IReadOnlyList<SagaScenario> AllAtOnce = [.. All.Select(s => s with { Name = s.Name + "-at-once" })];

    public static TheoryData<string> Names => [.. All.Select(s => s.Name)];

    public static SagaScenario Named(string name) => All.Single(s => s.Name == name);

    public static IEnumerable<string> Customers(Payer payer) => All.Concat(AllAtOnce).Concat(FaultFreeComparison.Scenarios).Where(s => s.Payer == payer).Select(s => s.CustomerId);
}
