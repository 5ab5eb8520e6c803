using System.Text.Json;
using Dapr.Client;
using Inventory.Contracts;
using Inventory.Domain;
using Inventory.Stock;

namespace Inventory.Reservations;

/// <summary>
/// The reservation records (key <c>reservation-{orderId}</c>): status changes are single-key ETag writes (never
/// published); the outbox transaction only ever carries the event of a status that is already stored.
/// </summary>
public sealed class ReservationStore(DaprClient dapr)
{
    // The DaprClient's own serializer settings (JsonSerializerDefaults.Web), so transaction bytes read back alike.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string Key(string orderId) => "reservation-" + orderId;

    public async Task<Versioned<Reservation>?> GetAsync(string orderId, CancellationToken cancellationToken)
    {
        var (reservation, etag) = await dapr.GetStateAndETagAsync<Reservation?>(DaprNames.StateStore, Key(orderId), cancellationToken: cancellationToken);
        return reservation is null ? null : new Versioned<Reservation>(reservation, etag);
    }

    public async Task<Versioned<Reservation>> GetRequiredAsync(string orderId, CancellationToken cancellationToken) =>
        await GetAsync(orderId, cancellationToken) ?? throw new InvalidOperationException($"reservation {orderId} vanished");

    /// <summary>First-write: of two concurrent creators (duplicate reserves, a reserve and a release) one wins.</summary>
    public Task<bool> TryCreateAsync(Reservation reservation, CancellationToken cancellationToken) =>
        StoreWrites.TryCreateAsync(dapr, Key(reservation.OrderId), reservation, cancellationToken);

    /// <summary>The status change itself: one key, the read's ETag; false when someone else changed it first.</summary>
    public Task<bool> TryReplaceAsync(Versioned<Reservation> current, Reservation next, CancellationToken cancellationToken) =>
        dapr.TrySaveStateAsync(DaprNames.StateStore, Key(next.OrderId), next, current.ETag, cancellationToken: cancellationToken);

    /// <summary>
    /// One outbox transaction: the reservation (same status, event no longer pending) with the ETag of the read,
    /// and the status's event as the projection of the same key. On Redis a lost ETag here does not undo the
    /// outbox marker, so the event may still go out: it is the event of the stored status, with the same eventId,
    /// so that is a duplicate, never a phantom. Throws DaprException when the transaction fails.
    /// </summary>
    public async Task<string> PublishAsync(Versioned<Reservation> current, CancellationToken cancellationToken)
    {
        var (type, payload) = InventoryEvents.For(current.Value);
        var key = Key(current.Value.OrderId);
        var operations = new List<StateTransactionRequest>
        {
            new(key, JsonSerializer.SerializeToUtf8Bytes(current.Value.Published(), Json), StateOperationType.Upsert, current.ETag,
                new Dictionary<string, string> { ["contentType"] = "application/json", ["type"] = type }),
            new(key, JsonSerializer.SerializeToUtf8Bytes(payload, payload.GetType(), Json), StateOperationType.Upsert, metadata:
                new Dictionary<string, string> { ["outbox.projection"] = "true", ["contentType"] = "application/json", ["type"] = type }),
        };
        await dapr.ExecuteStateTransactionAsync(DaprNames.StateStore, operations, cancellationToken: cancellationToken);
        return type;
    }
}
