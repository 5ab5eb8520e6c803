using System.Globalization;
using System.Text.Json;
using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf;
using Google.Protobuf.Collections;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Sidecar.Api;
using Sidecar.Components;
using Sidecar.Outbox;

namespace Sidecar.State;

/// <summary>daprd's state API (contract §2): validation, key prefixing, and the exact status codes.</summary>
public sealed class StateApi(ComponentRegistry registry, TransactionalOutbox outbox)
{
    private const string TtlMetadata = "ttlInSeconds";
    private const string ContentTypeMetadata = "contentType";

    public async Task<GetStateResponse> GetAsync(GetStateRequest request, CancellationToken cancellationToken)
    {
        var store = FindStore(request.StoreName);
        var key = StoreKey(store, request.Key);
        StateEntry? entry;
        try
        {
            entry = await store.Store.GetAsync(key, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw Error(StatusCode.Internal, $"fail to get {request.Key} from state store {request.StoreName}: {ex.Message}");
        }

        var response = new GetStateResponse { Data = ByteString.Empty, Etag = "" };
        if (entry is not null)
        {
            response.Data = ByteString.CopyFrom(entry.Data);
            response.Etag = entry.ETag;
            AddExpiry(response.Metadata, entry);
        }

        return response;
    }

    public async Task<GetBulkStateResponse> GetBulkAsync(GetBulkStateRequest request, CancellationToken cancellationToken)
    {
        var store = FindStore(request.StoreName);
        var keys = request.Keys.Select(k => StoreKey(store, k)).ToList();
        var response = new GetBulkStateResponse();
        foreach (var key in keys)
        {
            var item = new BulkStateItem { Key = StateKeys.ToAppKey(key), Data = ByteString.Empty, Etag = "" };
            try
            {
                if (await store.Store.GetAsync(key, cancellationToken) is { } entry)
                {
                    item.Data = ByteString.CopyFrom(entry.Data);
                    item.Etag = entry.ETag;
                    AddExpiry(item.Metadata, entry);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // daprd reports per-item failures in the item, not as a call failure.
                item.Error = ex.Message;
            }

            response.Items.Add(item);
        }

        return response;
    }

    public async Task<Empty> SaveAsync(SaveStateRequest request, CancellationToken cancellationToken)
    {
        var store = FindStore(request.StoreName);

        // daprd builds (and validates) every request before the first write, then writes item by item: not atomic.
        var writes = request.States.Select(item =>
        {
            if (string.IsNullOrEmpty(item.Key))
            {
                throw Error(StatusCode.InvalidArgument, "state key cannot be empty");
            }

            return (Request: ToSetRequest(store, item, honourContentType: true), TtlError: TtlErrorOf(item.Metadata));
        }).ToList();
        await RunItemsAsync(writes, async write =>
        {
            // The component parses ttlInSeconds when it writes that item; the other items are written regardless.
            if (write.TtlError is not null)
            {
                throw new InvalidOperationException(write.TtlError);
            }

            await store.Store.SetAsync(write.Request, cancellationToken);
        }, detail => $"failed saving state in state store {request.StoreName}: {detail}");

        return new Empty();
    }

    public async Task<Empty> DeleteAsync(DeleteStateRequest request, CancellationToken cancellationToken)
    {
        var store = FindStore(request.StoreName);
        var delete = new StateDeleteRequest(StoreKey(store, request.Key), request.Etag?.Value, ConcurrencyOf(request.Options));
        try
        {
            await store.Store.DeleteAsync(delete, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw StoreError(ex, $"failed deleting state with key {request.Key}: {ex.Message}");
        }

        return new Empty();
    }

    public async Task<Empty> DeleteBulkAsync(DeleteBulkStateRequest request, CancellationToken cancellationToken)
    {
        var store = FindStore(request.StoreName);
        var deletes = request.States.Select(item => new StateDeleteRequest(StoreKey(store, item.Key), item.Etag?.Value, ConcurrencyOf(item.Options))).ToList();
        await RunItemsAsync(deletes, delete => store.Store.DeleteAsync(delete, cancellationToken),
            detail => $"failed deleting state in state store {request.StoreName}: {detail}");

        return new Empty();
    }

    public async Task<Empty> ExecuteTransactionAsync(ExecuteStateTransactionRequest request, TraceContext trace, CancellationToken cancellationToken)
    {
        var store = FindStore(request.StoreName);
        if (!store.Store.Features.HasFlag(StateFeatures.Transactional))
        {
            throw Error(StatusCode.Unimplemented, $"state store {request.StoreName} doesn't support transaction");
        }

        var inputs = new List<TransactionInput>(request.Operations.Count);
        string? ttlError = null;
        foreach (var op in request.Operations)
        {
            var item = op.Request ?? new StateItem();
            // daprd checks the key before the operation type.
            var key = StoreKey(store, item.Key);
            StateOperation operation = op.OperationType switch
            {
                // Transactions always hand the store bytes, whatever the contentType (dotnet-sdk #1458).
                "upsert" => new UpsertOperation(ToSetRequest(store, item, honourContentType: false)),
                "delete" => new DeleteOperation(new StateDeleteRequest(key, item.Etag?.Value, ConcurrencyOf(item.Options))),
                var other => throw Error(StatusCode.Unimplemented, $"operation type {other} not supported"),
            };
            ttlError ??= op.OperationType == "upsert" ? TtlErrorOf(item.Metadata) : null;
            inputs.Add(new TransactionInput(operation, new Dictionary<string, string>(item.Metadata, StringComparer.Ordinal)));
        }

        if (ttlError is not null)
        {
            // Every store parses TTLs before it writes anything, so the whole transaction fails unapplied.
            throw Error(StatusCode.Internal, $"error while executing state transaction: {ttlError}");
        }

        var operations = await outbox.PrepareAsync(store, inputs, trace, cancellationToken);
        try
        {
            await store.Store.ExecuteTransactionAsync(operations, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Every store failure, an ETag mismatch included, is Internal here (unlike SaveState).
            throw Error(StatusCode.Internal, $"error while executing state transaction: {ex.Message}");
        }

        return new Empty();
    }

    public async Task<QueryStateResponse> QueryAsync(QueryStateRequest request, CancellationToken cancellationToken)
    {
        var store = FindStore(request.StoreName);
        if (!store.Store.Features.HasFlag(StateFeatures.Query))
        {
            throw Error(StatusCode.Internal, "state store does not support querying");
        }

        StateQueryResult result;
        try
        {
            result = await store.Store.QueryAsync(request.Query, cancellationToken);
        }
        catch (StateQueryException ex)
        {
            // daprd's legacy codes: a malformed query is Internal too.
            throw Error(StatusCode.Internal, $"state store {request.StoreName} query failed: failed to parse JSON query body: {ex.Message}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw Error(StatusCode.Internal, $"state store {request.StoreName} query failed: {ex.Message}");
        }

        if (result.Items.Count == 0)
        {
            // daprd answers an empty result without a token.
            return new QueryStateResponse();
        }

        var response = new QueryStateResponse { Token = result.Token ?? "" };
        foreach (var item in result.Items)
        {
            // Query is not scoped by prefix; keys come back de-prefixed.
            response.Results.Add(new QueryStateItem { Key = StateKeys.ToAppKey(item.Key), Data = ByteString.CopyFrom(item.Data), Etag = item.ETag });
        }

        return response;
    }

    private StateStoreComponent FindStore(string name)
    {
        if (registry.StateStores.Count == 0)
        {
            throw Error(StatusCode.FailedPrecondition, $"state store {name} is not configured");
        }

        return registry.StateStores.TryGetValue(name ?? "", out var store)
            ? store
            : throw Error(StatusCode.InvalidArgument, $"state store {name} is not found");
    }

    private static string StoreKey(StateStoreComponent store, string key)
    {
        try
        {
            return store.Keys.ToStoreKey(key ?? "");
        }
        catch (ArgumentException ex)
        {
            throw Error(StatusCode.InvalidArgument, ex.Message.Split(" (Parameter", 2)[0]);
        }
    }

    private static StateSetRequest ToSetRequest(StateStoreComponent store, StateItem item, bool honourContentType)
    {
        var key = StoreKey(store, item.Key);
        var bytes = item.Value?.ToByteArray() ?? [];
        var value = StateValue.FromBytes(bytes);
        if (honourContentType && item.Metadata.TryGetValue(ContentTypeMetadata, out var contentType) && contentType == "application/json")
        {
            try
            {
                value = new StateValue(GoJson.Canonicalize(bytes), IsJson: true);
            }
            catch (JsonException ex)
            {
                // daprd returns the json.Unmarshal error unwrapped, which grpc-go reports as Unknown.
                throw Error(StatusCode.Unknown, ex.Message);
            }
        }

        return new StateSetRequest(key, value, ETagOf(item.Etag), ConcurrencyOf(item.Options), TtlOf(item.Metadata));
    }

    /// <summary>
    /// ttlInSeconds as the component reads it (daprd itself does not validate it): empty = absent. Values below -1
    /// reach the store, which decides (postgres refuses them, redis persists, in-memory ignores).
    /// </summary>
    private static int? TtlOf(MapField<string, string> metadata) =>
        metadata.TryGetValue(TtlMetadata, out var text) && text.Length > 0 && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ttl)
            ? ttl
            : null;

    /// <summary>The component's error for a ttlInSeconds that is not a 32-bit integer; daprd reports it as Internal.</summary>
    private static string? TtlErrorOf(MapField<string, string> metadata) =>
        metadata.TryGetValue(TtlMetadata, out var text) && text.Length > 0 && !int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)
            ? $"error parsing TTL: incorrect value for metadata '{TtlMetadata}': strconv.ParseInt: parsing \"{text}\": invalid syntax"
            : null;

    /// <summary>Writes treat "" as no ETag in every store. Deletes pass the wrapper's value through as daprd does (see <see cref="StateDeleteRequest"/>).</summary>
    private static string? ETagOf(Etag? etag) => string.IsNullOrEmpty(etag?.Value) ? null : etag.Value;

    private static StateConcurrency ConcurrencyOf(StateOptions? options) => options?.Concurrency switch
    {
        StateOptions.Types.StateConcurrency.ConcurrencyFirstWrite => StateConcurrency.FirstWrite,
        StateOptions.Types.StateConcurrency.ConcurrencyLastWrite => StateConcurrency.LastWrite,
        _ => StateConcurrency.Unspecified,
    };

    private static void AddExpiry(MapField<string, string> metadata, StateEntry entry)
    {
        if (entry.ExpiresAt is { } expiresAt)
        {
            metadata["ttlExpireTime"] = expiresAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        }
    }

    /// <summary>
    /// daprd's PerformBulkStoreOperation: one item is a plain write; several are all attempted (the components'
    /// default bulk store), their errors joined. If every failure is an ETag error the whole is one (invalid wins
    /// over mismatch); otherwise the code is that of the first ETag error, else Internal.
    /// </summary>
    private static async Task RunItemsAsync<T>(IReadOnlyList<T> items, Func<T, Task> write, Func<string, string> message)
    {
        var failures = new List<Exception>();
        foreach (var item in items)
        {
            try
            {
                await write(item);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                if (items.Count == 1)
                {
                    throw StoreError(ex, message(ex.Message));
                }

                failures.Add(ex);
            }
        }

        if (failures.Count == 0)
        {
            return;
        }

        var joined = string.Join('\n', failures.Select(f => f.Message));
        if (failures.TrueForAll(f => f is StateETagException))
        {
            StateETagException whole = failures.Exists(f => f is ETagInvalidException) ? new ETagInvalidException(joined) : new ETagMismatchException(joined);
            throw StoreError(whole, message(whole.Message));
        }

        throw StoreError(failures.Find(f => f is StateETagException) ?? failures[0], message(joined));
    }

    private static RpcException StoreError(Exception ex, string message) => ex switch
    {
        ETagMismatchException => Error(StatusCode.Aborted, message),
        ETagInvalidException => Error(StatusCode.InvalidArgument, message),
        _ => Error(StatusCode.Internal, message),
    };

    private static RpcException Error(StatusCode code, string message) => new(new Status(code, message));
}
