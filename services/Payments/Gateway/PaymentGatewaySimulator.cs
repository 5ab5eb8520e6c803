using System.Collections.Concurrent;
using System.Text.Json;
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
/// executed charges per key so tests can assert "charged at most once per order". Its ledger stands in for the
/// provider's own database: in memory by default, or in <see cref="GatewayOptions.LedgerFile"/>, where a charge
/// is written (and flushed to disk) before its outcome is returned — the write IS the charge, so a crash of the
/// payments process either happened before the charge or finds it recorded after the restart.
/// </summary>
public sealed class PaymentGatewaySimulator : IPaymentGateway
{
    private readonly GatewayPolicy _policy;
    private readonly TimeProvider _time;
    private readonly string? _ledgerFile;
    private readonly Lock _fileLock = new();
    private readonly ConcurrentDictionary<string, LedgerEntry> _ledger = new(StringComparer.Ordinal);

    public PaymentGatewaySimulator(IOptions<GatewayOptions> options, TimeProvider time)
    {
        _policy = options.Value.ToPolicy();
        _time = time;
        _ledgerFile = options.Value.LedgerFile;
        foreach (var line in _ledgerFile is not null && File.Exists(_ledgerFile) ? File.ReadAllLines(_ledgerFile) : [])
        {
            // A torn last line (crash mid-write) was never acknowledged: it is not a charge.
            if (TryParse(line) is not { } record)
            {
                continue;
            }

            if (record.Refund)
            {
                _ledger.GetValueOrDefault(record.Key)?.Refund();
            }
            else
            {
                var request = new GatewayChargeRequest(record.Key, record.CustomerId!, record.Amount, record.Currency!);
                var outcome = new GatewayOutcome(record.Reference!, record.DeclineReason is null ? new GatewayDecision.Approved() : new GatewayDecision.Declined(record.DeclineReason));
                _ledger[record.Key] = LedgerEntry.Restored(request, outcome);
            }
        }
    }

    public async Task<GatewayOutcome> ChargeAsync(GatewayChargeRequest request, CancellationToken cancellationToken)
    {
        var entry = _ledger.GetOrAdd(request.IdempotencyKey, _ => new LedgerEntry(request, () => ExecuteAsync(request)));
        entry.CountRequest();
        return await entry.Outcome.WaitAsync(cancellationToken);
    }

    public Task RefundAsync(string idempotencyKey, CancellationToken cancellationToken)
    {
        // A charge an in-memory ledger no longer knows (the process restarted) is refunded without a record.
        if (_ledger.TryGetValue(idempotencyKey, out var entry) && entry.Refund())
        {
            Append(new LedgerRecord(idempotencyKey, Refund: true));
        }

        return Task.CompletedTask;
    }

    public GatewayChargeRecord? Find(string idempotencyKey) => _ledger.TryGetValue(idempotencyKey, out var entry) ? entry.Snapshot() : null;

    private async Task<GatewayOutcome> ExecuteAsync(GatewayChargeRequest request)
    {
        var delay = GatewayRules.ResponseDelay(request.CustomerId, _policy);
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, _time);
        }

        var outcome = new GatewayOutcome("gw_" + Guid.NewGuid().ToString("N"), GatewayRules.Decide(request, _policy));
        Append(new LedgerRecord(
            request.IdempotencyKey, false, request.CustomerId, request.Amount, request.Currency, outcome.Reference, (outcome.Decision as GatewayDecision.Declined)?.Reason));
        return outcome;
    }

    private void Append(LedgerRecord record)
    {
        if (_ledgerFile is null)
        {
            return;
        }

        // One short line per charge or refund, on disk before the caller hears the outcome.
        lock (_fileLock)
        {
            using var file = new FileStream(_ledgerFile, FileMode.Append, FileAccess.Write, FileShare.Read, 4096, FileOptions.WriteThrough);
            file.Write(JsonSerializer.SerializeToUtf8Bytes(record, LedgerJson));
            file.WriteByte((byte)'\n');
            file.Flush(flushToDisk: true);
        }
    }

    private static readonly JsonSerializerOptions LedgerJson = new(JsonSerializerDefaults.Web);

    private static LedgerRecord? TryParse(string line)
    {
        try
        {
            return string.IsNullOrWhiteSpace(line) ? null : JsonSerializer.Deserialize<LedgerRecord>(line, LedgerJson);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>One line of the ledger file: a charge (with its outcome) or a refund of a key.</summary>
    private sealed record LedgerRecord(
        string Key, bool Refund, string? CustomerId = null, decimal Amount = 0, string? Currency = null, string? Reference = null, string? DeclineReason = null);

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

        /// <summary>An entry read back from the ledger file: the charge happened before the restart.</summary>
        public static LedgerEntry Restored(GatewayChargeRequest request, GatewayOutcome outcome)
        {
            var entry = new LedgerEntry(request, () => Task.FromResult(outcome));
            _ = entry.Outcome;
            return entry;
        }

        public Task<GatewayOutcome> Outcome => _outcome.Value;

        public void CountRequest() => Interlocked.Increment(ref _requests);

        /// <summary>Refunds are idempotent too: the first one counts (true), repeats are answered (false).</summary>
        public bool Refund() => Interlocked.CompareExchange(ref _refunds, 1, 0) == 0;

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
