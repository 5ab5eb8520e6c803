namespace OrderSaga.Domain;

/// <summary>The compensations a saga owes, pushed before each step and run last-in, first-out.</summary>
public sealed class OwedCompensations
{
    private readonly Stack<SagaStep> _pending = new();

    public int Count => _pending.Count;

    /// <summary>Owes <paramref name="compensation"/> from now on (pushed before the step it undoes, so a step that
    /// fails half-way, or times out, is undone too: every compensation is idempotent and safe on "nothing happened").</summary>
    public void Push(SagaStep compensation)
    {
        if (compensation is not (SagaStep.RefundPayment or SagaStep.ReleaseStock or SagaStep.CancelOrder))
        {
            throw new ArgumentOutOfRangeException(nameof(compensation), compensation, "not a compensation");
        }

        _pending.Push(compensation);
    }

    /// <summary>The point of no return (the order is confirmed): nothing before it is undone any more.</summary>
    public void Clear() => _pending.Clear();

    /// <summary>Every owed compensation, newest first; the stack is empty afterwards.</summary>
    public IReadOnlyList<SagaStep> Drain()
    {
        var order = new List<SagaStep>(_pending.Count);
        while (_pending.TryPop(out var next))
        {
            order.Add(next);
        }

        return order;
    }
}
