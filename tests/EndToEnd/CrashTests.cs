using System.Text.Json;
using EndToEnd.Infrastructure;
using EndToEnd.Scenarios;

namespace EndToEnd;

/// <summary>
/// Processes killed in the windows where at-least-once meets side effects (F1, F2 of BENCHMARKS-AND-FAULTS §3):
/// the runner restarts the app beside its sidecar, the saga still ends terminal, the gateway charged once.
/// </summary>
public sealed class CrashTests(CrashRun run) : IClassFixture<CrashRun>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OrderSaga_KilledWhileTheChargeIsInFlight_SagaResumesConfirmsAndChargesOnce()
    {
        var scenario = new SagaScenario(CrashRun.SlowCustomer, Payer.Slow, 12.50m, 2, 10, null, _ => ExpectedOutcome.Confirmed);
        await run.StockProductAsync(scenario.Sku, scenario.UnitPrice, scenario.Restock);
        var order = await run.PlaceAsync(scenario.CustomerId, scenario.Sku, scenario.Quantity);
        var saga = await Settle.UntilAsync(() => StepAsync(order.OrderId), step => step == "ChargePayment", TimeSpan.FromSeconds(30));
        Assert.Equal("ChargePayment", saga);

        // The gateway is still answering (SlowResponse): the activity dies with the process, mid-call.
        await run.Run.KillAppAsync("order-saga");

        await ScenarioRunner.AssertFinalStateAsync(run, scenario, order, CrashRun.SettleTimeout);
        Assert.Contains("App order-saga exited with code 137", run.Run.Output, StringComparison.Ordinal);
        await run.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Payments_KilledAfterTheChargeCommitsBeforeItAnswers_RetryGetsTheRecordedChargeNotASecond()
    {
        var scenario = new SagaScenario("failpoint", Payer.Pays, 12.50m, 2, 10, null, _ => ExpectedOutcome.Confirmed);
        await run.StockProductAsync(scenario.Sku, scenario.UnitPrice, scenario.Restock);
        await File.WriteAllTextAsync(run.FailpointArmingFile, scenario.CustomerId, Cancel);

        var order = await run.PlaceAsync(scenario.CustomerId, scenario.Sku, scenario.Quantity);

        await ScenarioRunner.AssertFinalStateAsync(run, scenario, order, CrashRun.SettleTimeout);
        Assert.False(File.Exists(run.FailpointArmingFile), $"the failpoint did not fire (it disarms itself); the runner's lines about payments:\n{string.Join('\n', run.Run.Output.Split('\n').Where(l => l.Contains("payments", StringComparison.Ordinal)))}");
        Assert.Contains("App payments exited with code 137", run.Run.Output, StringComparison.Ordinal);
        await run.AssertInvariantsAsync();
    }

    private async Task<string?> StepAsync(string orderId)
    {
        using var response = await run.Client("order-saga").GetAsync($"/sagas/{orderId}", Cancel);
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        using var saga = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel));
        return saga.RootElement.GetProperty("step").GetString();
    }
}

/// <summary>
/// An orchestrated run for crash tests: the gateway keeps its ledger in a file (its "own database", so a charge
/// survives the payments process), the payments failpoint is wired to an arming file the test creates, and the
/// saga retries a step long enough (and waits for a payment long enough) to outlive an app's restart.
/// </summary>
public sealed class CrashRun() : SagaRunFixture(Orchestration)
{
    public const string SlowCustomer = "slow-crash";

    /// <summary>A restart of an app and the saga's retries after it, on a loaded 2-core machine.</summary>
    public static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(150);

    private readonly string _directory = Directory.CreateTempSubdirectory("e2e-crash-").FullName;

    public string FailpointArmingFile => Path.Combine(_directory, "payments-crash-after-charge");

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    protected override IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Settings => new Dictionary<string, IReadOnlyDictionary<string, string>>
    {
        ["order-saga"] = new Dictionary<string, string>
        {
            ["OrderSaga__PaymentTimeout"] = "00:01:00",
            ["OrderSaga__StepAttempts"] = "20",
            ["OrderSaga__StepRetryInterval"] = "00:00:00.500",
            ["OrderSaga__MaxRetryInterval"] = "00:00:02",
        },
        ["payments"] = new Dictionary<string, string>
        {
            ["Payments__Gateway__LedgerFile"] = Path.Combine(_directory, "gateway-ledger.jsonl"),
            ["Payments__Gateway__SlowCustomers__0"] = SlowCustomer,
            ["Payments__Gateway__SlowResponse"] = "00:00:03",
            // The variable of services/Payments/Charges/CrashFailpoint.cs.
            ["PAYMENTS_FAILPOINT_CRASH_AFTER_CHARGE"] = FailpointArmingFile,
        },
    };
}
