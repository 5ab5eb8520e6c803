using EndToEnd.Infrastructure;
using EndToEnd.Scenarios;

namespace EndToEnd;

/// <summary>
/// F5 of BENCHMARKS-AND-FAULTS §3 as a comparison: the scenario matrix's inputs once in the run whose sidecars
/// duplicate and reorder deliveries and once in a twin run without faults (same saga style, same settings, same
/// customers, SKUs and idempotency keys), then every order's business state must be the same in both. The
/// expected outcomes catch a wrong result; this catches what they do not name (an extra credit entry, a read
/// model's timeline, a second refund recorded somewhere).
/// </summary>
public static class FaultFreeComparison
{
    /// <summary>The matrix under customers and SKUs of their own, apart from the one-by-one and at-once runs.</summary>
    public static readonly IReadOnlyList<SagaScenario> Scenarios = [.. SagaScenarios.All.Select(s => s with { Name = s.Name + "-compared" })];

    /// <summary>
    /// In the choreographed style a review's rejection or expiry races inventory's reservation: the order's
    /// OrderCancelled may reach inventory before or after its OrderPlaced. Both paths end with the stock released and
    /// nothing charged, but one reserved first (a StockReserved, one more reservation version, one more timeline
    /// entry, the reserved lines kept on the released reservation, two more stock versions) and the other never did
    /// (a tombstone "released before it was reserved" without lines). For those scenarios the reservation's history
    /// is left out of the comparison; its outcome (status Released, the SKU's available and reserved units) and
    /// everything else stay in.
    /// </summary>
    private static readonly string[] ReservationHistory =
    [
        "reservation.version", "reservation.lines", "reservation.reason", "composed.stock.version", "composed.stock.lines", "composed.stock.reason",
        "stock.version", "readModel.stock.version", "readModel.timeline",
    ];

    /// <summary>
    /// In the choreographed style a customer's cancellation right after the confirmation races payments' credit
    /// award: OrderConfirmed and OrderCancellationRequested leave the outbox close together and a subscription's
    /// workers handle them concurrently, so the revocation may come first (a tombstone, RevokedBeforeAward, 0 points)
    /// or second (25 points awarded, then revoked) — a clean CI run met the first order without any injected fault.
    /// Both end with no points; the credit entry's history and the read model's timeline are left out, the balance
    /// and everything else stay in.
    /// </summary>
    private static readonly string[] CreditHistory = ["credit.orders", "credit.version", "readModel.timeline"];

    // The faulted run converges later: a reordered delivery waits out its delay, a redelivery the broker's window.
    private static readonly TimeSpan ConvergenceTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Runs the scenarios in <paramref name="faulted"/> and in a fault-free twin it starts, and compares.</summary>
    public static async Task AssertSameBusinessStateAsync(SagaRunFixture faulted)
    {
        // Started here rather than as a fixture, so a filtered test run that skips this test does not pay for it;
        // the faulted run takes the scenarios meanwhile.
        await using var faultFree = new FaultFreeRun(faulted.Mode);
        var faultedOrders = RunScenariosAsync(faulted, "faulted");
        await faultFree.InitializeAsync();
        var orders = await Task.WhenAll(RunScenariosAsync(faultFree, "fault-free"), faultedOrders);
        await faultFree.AssertInvariantsAsync();
        await faulted.AssertInvariantsAsync();

        // The gateway composes its view live: under load a part times out or meets an open circuit for a while (F9),
        // which says nothing about the business state, so the reference waits for complete views.
        var expected = await Settle.UntilAsync(() => ReadStatesAsync(faultFree, orders[0]), states => states.All(s => s.FullyComposed), ConvergenceTimeout);
        // One deadline for all scenarios: polling each on its own would wait it out once per differing scenario.
        var actual = await Settle.UntilAsync(
            () => ReadStatesAsync(faulted, orders[1]),
            states => states.Zip(expected).All(pair => pair.Second.Differences(pair.First).Count == 0),
            ConvergenceTimeout);

        var differences = new List<string>();
        foreach (var (scenario, index) in Scenarios.Select((scenario, index) => (scenario, index)))
        {
            var differing = expected[index].Differences(actual[index]);
            if (differing.Count > 0)
            {
                differences.Add(
                    $"scenario {scenario.Name} ({faulted.Mode}), orders {orders[0][index].OrderId} (fault-free) and {orders[1][index].OrderId} (with faults):\n"
                    + $"first difference {differing[0]} (fault-free ≠ with faults); {differing.Count} field(s) differ:\n  {string.Join("\n  ", differing)}\n"
                    + $"fault-free state:\n{expected[index]}\nstate with faults:\n{actual[index]}");
            }
        }

        Assert.True(differences.Count == 0, $"{ModeRunFixture.FaultSpec} changed the business state:\n\n{string.Join("\n\n", differences)}");
    }

    private static async Task<List<BusinessState>> ReadStatesAsync(SagaRunFixture run, AcknowledgedOrder[] orders)
    {
        var states = new List<BusinessState>();
        foreach (var (scenario, order) in Scenarios.Zip(orders))
        {
            var state = await BusinessState.ReadAsync(run, order, scenario.Sku);
            states.Add(LeftOut(scenario, run.Mode) is { } history ? state.Without(history) : state);
        }

        return states;
    }

    /// <summary>The history the saga style lets race for this scenario, or null when everything is compared.</summary>
    private static string[]? LeftOut(SagaScenario scenario, string mode) => (mode, scenario.Name) switch
    {
        ("Choreography", "review-rejected-compared" or "review-expired-compared") => ReservationHistory,
        ("Choreography", "cancelled-by-customer-compared") => CreditHistory,
        _ => null,
    };

    private static async Task<AcknowledgedOrder[]> RunScenariosAsync(SagaRunFixture run, string name)
    {
        try
        {
            return await Task.WhenAll(Scenarios.Select(scenario => ScenarioRunner.RunAsync(run, scenario)));
        }
        catch (Exception failure) when (failure is not OperationCanceledException)
        {
            // Both runs take the same scenarios: say which one a failed expectation came from.
            Assert.Fail($"in the {name} run: {failure.Message}");
            throw;
        }
    }
}

/// <summary>The twin of a <see cref="ModeRunFixture"/>: the same saga style and settings, no delivery faults.</summary>
public sealed class FaultFreeRun(string mode) : ModeRunFixture(mode, injectFaults: false);
