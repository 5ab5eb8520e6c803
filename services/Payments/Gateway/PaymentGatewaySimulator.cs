using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Payments.Domain;

namespace Payments.Gateway;

/// <summary>The gateway's answer to a charge: its reference and whether it approved.</summary>
public sealed record GatewayOutcome(string Reference, GatewayDecision Decision);

/// <summary>A payment provider. Charges and refunds carry an idempotency key (the order id), as real providers take one.</summary>
public interface IPaymentGateway
{
    Task<GatewayOutcome> ChargeAsync(GatewayChargeRequest request, CancellationToken cancellationToken);

    Task RefundAsync(string idempotencyKey, CancellationToken cancellationToken);
}

/// <summary>What the simulator holds for one idempotency key (read-only diagnostics).</summary>
public sealed record GatewayChargeRecord(
    string IdempotencyKey,
    string CustomerId,
    decimal Amount,
    string Currency,
    string? Outcome,
    string? DeclineReason,
    int Requests,
    int Charges,
    int Refunds);

/// <summary>
/// A payment provider inside the process, idempotent by key like a real one: the first request for a key
/// executes the charge (after the configured delay, which runs even when the caller gives up, as a real
/// provider's would); every later request for the key gets that recorded outcome. It counts requests and
/// executed charges per key so tests can assert "charged at most once per order". Its ledger is in memory:
/// it stands in for the provider's own database and starts empty with the process.
/// </summary>
public sealed class PaymentGatewaySimulator(IOptions<GatewayOptions> options, TimeProvider time) : IPaymentGateway
{
    private readonly GatewayPolicy _policy = options.Value.ToPolicy();
    private readonly ConcurrentDictionary<string, LedgerEntry> _ledger = new(StringComparer.Ordinal);

    public async Task<GatewayOutcome> ChargeAsync(GatewayChargeRequest request, CancellationToken cancellationToken)
    {
        var entry = _ledger.GetOrAdd(request.IdempotencyKey, _ => new LedgerEntry(request, () => ExecuteAsync(request)));
        entry.CountRequest();
        return await entry.Outcome.WaitAsync(cancellationToken);
    }

    public Task RefundAsync(string idempotencyKey, CancellationToken cancellationToken)
    {
        // A charge the in-memory ledger no longer knows (the process restarted) is refunded without a record.
        if (_ledger.TryGetValue(idempotencyKey, out var entry))
        {
            entry.Refund();
        }

        return Task.CompletedTask;
    }

    public GatewayChargeRecord? Find(string idempotencyKey) => _ledger.TryGetValue(idempotencyKey, out var entry) ? entry.Snapshot() : null;

    private async Task<GatewayOutcome> ExecuteAsync(GatewayChargeRequest request)
    {
        var delay = GatewayRules.ResponseDelay(request.CustomerId, _policy);
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, time);
        }

        return new GatewayOutcome("gw_" + Guid.NewGuid().ToString("N"), GatewayRules.Decide(request, _policy));
    }

    private sealed class LedgerEntry
    {
        private readonly GatewayChargeRequest _request;
        private readonly Lazy<Task<GatewayOutcome>> _outcome;
        private int _requests;
        private int _charges;
        private int _refunds;

        public LedgerEntry(GatewayChargeRequest request, Func<Task<GatewayOutcome>> execute)
        {
            _request = request;
            // Only the entry that won GetOrAdd is ever asked for its outcome, and it executes the charge once.
            _outcome = new Lazy<Task<GatewayOutcome>>(
                () =>
                {
                    Interlocked.Increment(ref _charges);
                    return execute();
                },
                LazyThreadSafetyMode.ExecutionAndPublication);
        }

        public Task<GatewayOutcome> Outcome => _outcome.Value;

        public void CountRequest() => Interlocked.Increment(ref _requests);

        /// <summary>Refunds are idempotent too: the first one counts, repeats are answered.</summary>
        public void Refund() => Interlocked.CompareExchange(ref _refunds, 1, 0);

        public GatewayChargeRecord Snapshot()
        {
            var settled = _outcome.IsValueCreated && _outcome.Value.IsCompletedSuccessfully ? _outcome.Value.Result : null;
            return new GatewayChargeRecord(
                _request.IdempotencyKey,
                _request.CustomerId,
                _request.Amount,
                _request.Currency,
                settled?.Decision is GatewayDecision.Approved ? "Approved" : settled is null ? null : "Declined",
                (settled?.Decision as GatewayDecision.Declined)?.Reason,
                Volatile.Read(ref _requests),
                Volatile.Read(ref _charges),
                Volatile.Read(ref _refunds));
        }
    }
}
