using EndToEnd.Infrastructure;

namespace EndToEnd.Scenarios;

/// <summary>
/// A run for the scenario matrix in one saga style: the gateway simulator declines and slows down the scenarios'
/// customers that ask for it, the saga's deadlines are seconds, not the production defaults, to keep CI short, and
/// the sidecar of every subscriber duplicates and reorders deliveries (F5, F6 of BENCHMARKS-AND-FAULTS §3) with a
/// fixed seed, printed in the spec, so every scenario meets at-least-once delivery as production does.
/// </summary>
/// <param name="injectFaults">False for the fault-free twin that F5's comparison (FaultFreeComparison) runs beside.</param>
public abstract class ModeRunFixture(string mode, bool injectFaults = true) : SagaRunFixture(mode)
{
    public const string FaultSpec = "seed=20261126,duplicate=0.3,reorder=0.3";

    private static readonly string[] Subscribers = ["catalog", "orders", "payments", "inventory", "order-saga", "order-query"];

    /// <summary>Longer than the payment timeouts, so the slow customer's charge lands after the deadline.</summary>
    public static readonly TimeSpan SlowResponse = TimeSpan.FromSeconds(12);

    // Seconds rather than the default 30 s, yet far above a normal charge even on a loaded 2-core CI machine. The
    // same bound holds for the choreographed charge (Payments:ChargeTimeout).
    private static readonly TimeSpan PaymentTimeout = TimeSpan.FromSeconds(8);

    // How often payments asks the gateway again for a timed-out choreographed charge's late outcome.
    private static readonly TimeSpan LateOutcomeCheckInterval = TimeSpan.FromSeconds(3);

    // Long enough for the test to see the review step and decide under a loaded CI machine; the expired case waits it out.
    private static readonly TimeSpan ReviewTimeout = TimeSpan.FromSeconds(15);

    protected override IReadOnlyDictionary<string, string>? Faults => !injectFaults ? null : Subscribers.ToDictionary(app => app, _ => FaultSpec, StringComparer.Ordinal);

    protected override IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Settings => new Dictionary<string, IReadOnlyDictionary<string, string>>
    {
        ["order-saga"] = new Dictionary<string, string>
        {
            ["OrderSaga__ReviewAbove"] = SagaScenarios.ReviewAbove.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["OrderSaga__ReviewTimeout"] = ReviewTimeout.ToString(),
            ["OrderSaga__PaymentTimeout"] = PaymentTimeout.ToString(),
        },
        ["payments"] = GatewaySettings(),
        // The same review for choreographed orders, which orders owns.
        ["orders"] = new Dictionary<string, string>
        {
            ["Orders__ReviewAbove"] = SagaScenarios.ReviewAbove.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Orders__ReviewTimeout"] = ReviewTimeout.ToString(),
        },
    };

    private static Dictionary<string, string> GatewaySettings()
    {
        var settings = new Dictionary<string, string>
        {
            ["Payments__Gateway__SlowResponse"] = SlowResponse.ToString(),
            ["Payments__ChargeTimeout"] = PaymentTimeout.ToString(),
            ["Payments__LateOutcomeCheckInterval"] = LateOutcomeCheckInterval.ToString(),
        };
        foreach (var (customer, index) in SagaScenarios.Customers(Payer.Declines).Select((c, i) => (c, i)))
        {
            settings[$"Payments__Gateway__DeclinedCustomers__{index}"] = customer;
        }

        foreach (var (customer, index) in SagaScenarios.Customers(Payer.Slow).Select((c, i) => (c, i)))
        {
            settings[$"Payments__Gateway__SlowCustomers__{index}"] = customer;
        }

        return settings;
    }
}

public sealed class OrchestrationRun() : ModeRunFixture(Orchestration);

public sealed class ChoreographyRun() : ModeRunFixture(Choreography);
