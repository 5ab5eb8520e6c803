using Dapr;
using Dapr.Client;
using Payments.Domain;

namespace Payments.Charges;

/// <summary>
/// The payment of an order in payments-store under <c>payment-&lt;orderId&gt;</c>. The pending record is written
/// with first-write semantics and without an event (SaveState never publishes); every later change goes
/// through <see cref="OutboxTransaction"/> with the ETag read before.
/// </summary>
public sealed class PaymentStore(DaprClient dapr)
{
    public static string Key(string orderId) => "payment-" + orderId;

    public async Task<(Payment? Payment, string ETag)> GetAsync(string orderId, CancellationToken cancellationToken)
    {
        var (payment, etag) = await dapr.GetStateAndETagAsync<Payment?>(DaprNames.StateStore, Key(orderId), cancellationToken: cancellationToken);
        return (payment, etag ?? string.Empty);
    }

    /// <returns>false when a payment for the order already exists (another request created it first).</returns>
    public async Task<bool> TryCreatePendingAsync(Payment pending, CancellationToken cancellationToken)
    {
        try
        {
            await dapr.SaveStateAsync(
                DaprNames.StateStore,
                Key(pending.OrderId),
                pending,
                new StateOptions { Concurrency = ConcurrencyMode.FirstWrite },
                cancellationToken: cancellationToken);
            return true;
        }
        catch (DaprException)
        {
            // daprd reports a first-write on an existing key as a plain save error; the key decides what it was.
            var (existing, _) = await GetAsync(pending.OrderId, cancellationToken);
            if (existing is null)
            {
                throw;
            }

            return false;
        }
    }

    /// <summary>A change that reports nothing new (SaveState never publishes), guarded by the ETag read before.</summary>
    /// <returns>false when the payment changed since <paramref name="etag"/> was read.</returns>
    public Task<bool> TryRecordWithoutEventAsync(Payment payment, string etag, CancellationToken cancellationToken) =>
        dapr.TrySaveStateAsync(DaprNames.StateStore, Key(payment.OrderId), payment, etag, cancellationToken: cancellationToken);

    /// <returns>false when the payment changed since <paramref name="etag"/> was read.</returns>
    public Task<bool> TryRecordAsync<TEvent>(Payment payment, string etag, TEvent @event, CancellationToken cancellationToken)
        where TEvent : notnull =>
        dapr.TryCommitAsync(Key(payment.OrderId), payment, etag, @event, cancellationToken);
}
