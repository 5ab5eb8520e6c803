using EndToEnd.Infrastructure;
using EndToEnd.Scenarios;

namespace EndToEnd;

/// <summary>
/// The order saga end to end, the same scenario matrix in both styles (orchestration by the order-saga workflow,
/// choreography by the services' consumers): every app a process through the runner, every subscriber's sidecar
/// duplicating and reordering deliveries, the order placed through the gateway, the final state asserted in every
/// service (one charge at most per order at the gateway), then the invariant checker over every order of the run.
/// </summary>
public abstract class SagaScenarioTests(SagaRunFixture fixture)
{
    [Theory]
    [MemberData(nameof(SagaScenarios.Names), MemberType = typeof(SagaScenarios))]
    public async Task Saga_Scenario_EndsAsExpectedInEveryServiceAndInvariantsHold(string scenario)
    {
        await ScenarioRunner.RunAsync(fixture, SagaScenarios.Named(scenario));

        await fixture.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Sagas_AllScenariosAtOnceWithDuplicatedAndReorderedDeliveries_EachEndsAsAloneAndInvariantsHold()
    {
        await Task.WhenAll(SagaScenarios.AllAtOnce.Select(scenario => ScenarioRunner.RunAsync(fixture, scenario)));

        await fixture.AssertInvariantsAsync();
        // The faults really happened: the sidecars log each one they inject.
        Assert.Contains("Fault injection: duplicate", fixture.Run.Output, StringComparison.Ordinal);
        Assert.Contains("Fault injection: reorder", fixture.Run.Output, StringComparison.Ordinal);
    }

    /// <summary>F5: duplicates and reordering change no business state (the comparison and its twin run: FaultFreeComparison.cs).</summary>
    [Fact]
    public Task Sagas_WithDuplicatedAndReorderedDeliveries_LeaveTheSameBusinessStateAsAFaultFreeRun() =>
        FaultFreeComparison.AssertSameBusinessStateAsync(fixture);
}

public sealed class OrchestratedSagaTests(OrchestrationRun run) : SagaScenarioTests(run), IClassFixture<OrchestrationRun>;

public sealed class ChoreographedSagaTests(ChoreographyRun run) : SagaScenarioTests(run), IClassFixture<ChoreographyRun>;
