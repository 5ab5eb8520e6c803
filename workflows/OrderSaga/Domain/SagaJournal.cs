namespace OrderSaga.Domain;

/// <summary>
/// Builds the saga's <see cref="SagaProgress"/> as it goes. Deterministic: every timestamp comes from the caller
/// (the workflow passes its replay-safe clock), so replays rebuild exactly the same journal.
/// </summary>
public sealed class SagaJournal
{
    private readonly List<SagaHistoryEntry> _history = [];
    private readonly List<string> _errors = [];

    public SagaState State { get; private set; } = SagaState.Running;

    public SagaStep Step { get; private set; } = SagaStep.Started;

    public string? Reason { get; private set; }

    public IReadOnlyList<string> Errors => _errors;

    public void Begin(SagaStep step, DateTimeOffset at)
    {
        Step = step;
        _history.Add(new SagaHistoryEntry(at, step, "started"));
    }

    public void Succeeded(SagaStep step, DateTimeOffset at, string? detail = null) => _history.Add(new SagaHistoryEntry(at, step, "succeeded", detail));

    /// <summary>A forward step failed or was refused: the saga now compensates with <paramref name="reason"/>.</summary>
    public void Failed(SagaStep step, DateTimeOffset at, string reason)
    {
        _history.Add(new SagaHistoryEntry(at, step, "failed", reason));
        Reason ??= reason;
        State = SagaState.Compensating;
    }

    /// <summary>A step that must not be undone (after confirmation) or a compensation kept failing.</summary>
    public void Unrepaired(SagaStep step, DateTimeOffset at, string error)
    {
        _history.Add(new SagaHistoryEntry(at, step, "failed", error));
        _errors.Add($"{step}: {error}");
    }

    public void Finish(DateTimeOffset at)
    {
        State = State switch
        {
            SagaState.Running => _errors.Count == 0 ? SagaState.Completed : SagaState.NeedsRepair,
            _ => SagaRules.AfterCompensation(_errors.Count),
        };
        Step = SagaStep.Finished;
        _history.Add(new SagaHistoryEntry(at, SagaStep.Finished, State.ToString()));
    }

    public SagaProgress Snapshot() => new(State, Step, Reason, [.. _history], [.. _errors]);
}
