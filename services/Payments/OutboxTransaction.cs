using System.Text.Json;
using Dapr;
using Dapr.Client;
using ServiceDefaults;

namespace Payments;

/// <summary>
/// One aggregate upsert and its event in one state transaction on the outbox-enabled store (DESIGN 5.1): the
/// upsert carries the ETag read before (or first-write when the aggregate is new), the event rides along as
/// the <c>outbox.projection</c> of the same key, so it is published exactly when the change commits.
/// daprd takes the payload and its content type from the projection but copies the CloudEvent attributes
/// (here <c>type</c>, the event name) from the real operation's metadata, so both carry them.
/// </summary>
internal static class OutboxTransaction
{
    /// <returns>false when the ETag (or first-write) condition failed: someone else changed the aggregate.</returns>
    public static async Task<bool> TryCommitAsync<TState, TEvent>(this DaprClient dapr, string key, TState state, string etag, TEvent @event, CancellationToken cancellationToken)
        where TEvent : notnull
    {
        var json = dapr.JsonSerializerOptions;
        var eventMetadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["contentType"] = "application/json",
            ["type"] = typeof(TEvent).Name,
        };
        var isNew = string.IsNullOrEmpty(etag);
        StateTransactionRequest[] operations =
        [
            new(
                key,
                JsonSerializer.SerializeToUtf8Bytes(state, json),
                StateOperationType.Upsert,
                etag: isNew ? null : etag,
                metadata: eventMetadata,
                // An empty ETag would be an unconditional write; a new aggregate is written only if still absent.
                options: isNew ? new StateOptions { Concurrency = ConcurrencyMode.FirstWrite } : null),
            new(
                key,
                JsonSerializer.SerializeToUtf8Bytes(@event, json),
                StateOperationType.Upsert,
                metadata: new Dictionary<string, string>(eventMetadata, StringComparer.Ordinal) { ["outbox.projection"] = "true" }),
        ];
        try
        {
            await dapr.ExecuteStateTransactionAsync(DaprNames.StateStore, operations, cancellationToken: cancellationToken);
            return true;
        }
        catch (DaprException exception) when (StateTransactionErrors.IsFailedCondition(exception))
        {
            return false;
        }
    }
}
