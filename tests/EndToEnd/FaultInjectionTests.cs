using EndToEnd.Infrastructure;
using EndToEnd.Scenarios;

namespace EndToEnd;

/// <summary>
/// The whole scenario matrix at once while every subscriber's sidecar duplicates and reorders deliveries
/// (F5/F6): each order still ends as it does without faults, the gateway charged each order at most once, and the
/// invariants hold.
/// </summary>
public abstract class FaultInjectionTests(SagaRunFixture fixture)
{
    [Fact]
    public async Task Sagas_DuplicatedAndReorderedDeliveries_SameFinalStatesAndInvariants()
    {
        await Task.WhenAll(SagaScenarios.All.Select(scenario => ScenarioRunner.RunAsync(fixture, scenario)));

        await fixture.AssertInvariantsAsync();
        // The faults really happened: the sidecars log each one they inject.
        Assert.Contains("Fault injection: duplicate", fixture.Run.Output, StringComparison.Ordinal);
        Assert.Contains("Fault injection: reorder", fixture.Run.Output, StringComparison.Ordinal);
    }
}

public sealed class OrchestratedFaultInjectionTests(FaultyOrchestrationRun run) : FaultInjectionTests(run), IClassFixture<FaultyOrchestrationRun>;

public sealed class ChoreographedFaultInjectionTests(FaultyChoreographyRun run) : FaultInjectionTests(run), IClassFixture<FaultyChoreographyRun>;
