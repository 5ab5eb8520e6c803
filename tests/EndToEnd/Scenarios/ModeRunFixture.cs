using EndToEnd.Infrastructure;

namespace EndToEnd.Scenarios;

/// <summary>
/// A run for the scenario matrix in one saga style: the gateway simulator declines and slows down the scenarios'
/// customers that ask for it, and the saga's deadlines are seconds, not the production defaults, to keep CI short.
/// </summary>
public abstract class ModeRunFixture(string mode) : SagaRunFixture(mode)
{
    /// <summary>Longer than the payment timeout, so the slow customer's charge lands after the deadline.</summary>
    public static readonly TimeSpan SlowResponse = TimeSpan.FromSeconds(6);

    private static readonly TimeSpan PaymentTimeout = TimeSpan.FromSeconds(3);

    // Long enough for the test to see the review step and decide under a loaded CI machine; the expired case waits it out.
    private static readonly TimeSpan ReviewTimeout = TimeSpan.FromSeconds(8);

    protected override IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Settings => new Dictionary<string, IReadOnlyDictionary<string, string>>
    {
        ["order-saga"] = new Dictionary<string, string>
        {
            ["OrderSaga__ReviewAbove"] = SagaScenarios.ReviewAbove.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["OrderSaga__ReviewTimeout"] = ReviewTimeout.ToString(),
            ["OrderSaga__PaymentTimeout"] = PaymentTimeout.ToString(),
        },
        ["payments"] = GatewaySettings(),
    };

    private static Dictionary<string, string> GatewaySettings()
    {
        var settings = new Dictionary<string, string> { ["Payments__Gateway__SlowResponse"] = SlowResponse.ToString() };
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

/// <summary>
/// The same settings with the sidecars of every subscriber duplicating and reordering deliveries (F5, F6 of
/// BENCHMARKS-AND-FAULTS §3): a fixed seed, printed in the spec, so a failure can be replayed.
/// </summary>
public abstract class FaultyModeRunFixture(string mode) : ModeRunFixture(mode)
{
    public const string FaultSpec = "seed=20261126,duplicate=0.3,reorder=0.3";

    private static readonly string[] Subscribers = ["catalog", "orders", "payments", "inventory", "order-saga", "order-query"];

    protected override IReadOnlyDictionary<string, string>? Faults => Subscribers.ToDictionary(app => app, _ => FaultSpec, StringComparer.Ordinal);
}

public sealed class FaultyOrchestrationRun() : FaultyModeRunFixture(Orchestration);

public sealed class FaultyChoreographyRun() : FaultyModeRunFixture(Choreography);
