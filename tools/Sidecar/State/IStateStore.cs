namespace Sidecar.State;

/// <summary>
/// Concurrency mode of a write, as daprd maps the gRPC enum. Unspecified behaves as last-write everywhere except
/// that Redis ignores the ETag only for an explicit last-write (daprd passes "" for unspecified).
/// </summary>
public enum StateConcurrency
{
    LastWrite,
    FirstWrite,
    Unspecified,
}

/// <summary>
/// What daprd hands the component: raw bytes (every gRPC write by default, all transactions) or a JSON value
/// it parsed first (SaveState items with metadata contentType application/json). Stores encode the two
/// differently (dapr/store-layouts.md).
/// </summary>
public sealed record StateValue(ReadOnlyMemory<byte> Bytes, bool IsJson)
{
    public static StateValue FromBytes(ReadOnlyMemory<byte> bytes) => new(bytes, false);
}

/// <param name="Key">The physical key, already prefixed by <see cref="StateKeys"/>.</param>
/// <param name="ETag">Null or empty = no ETag (daprd treats "" as absent).</param>
/// <param name="TtlSeconds">From item metadata ttlInSeconds; -1 = never expire; null = not given.</param>
public sealed record StateSetRequest(string Key, StateValue Value, string? ETag, StateConcurrency Concurrency, int? TtlSeconds);

/// <param name="ETag">
/// Null = none. An empty string is passed through as daprd does: the SQL and in-memory stores treat it as none,
/// Redis compares it as a version (so it mismatches an existing key).
/// </param>
public sealed record StateDeleteRequest(string Key, string? ETag, StateConcurrency Concurrency);

public abstract record StateOperation(string Key);

public sealed record UpsertOperation(StateSetRequest Request) : StateOperation(Request.Key);

public sealed record DeleteOperation(StateDeleteRequest Request) : StateOperation(Request.Key);

/// <summary>A stored item; Data is what a GetState caller receives.</summary>
public sealed record StateEntry(byte[] Data, string ETag, DateTimeOffset? ExpiresAt);

public sealed record StateQueryItem(string Key, byte[] Data, string ETag);

public sealed record StateQueryResult(IReadOnlyList<StateQueryItem> Items, string? Token);

[Flags]
public enum StateFeatures
{
    None = 0,
    ETag = 1,
    Transactional = 2,
    Ttl = 4,
    Query = 8,
}

/// <summary>A state store component. Implementations mirror the real Dapr component's behaviour and physical layout.</summary>
public interface IStateStore : IAsyncDisposable
{
    StateFeatures Features { get; }

    /// <summary>Creates tables/connections; called once at start-up.</summary>
    Task InitAsync(CancellationToken cancellationToken);

    /// <returns>Null when the key is absent or expired.</returns>
    Task<StateEntry?> GetAsync(string key, CancellationToken cancellationToken);

    /// <exception cref="ETagMismatchException">The ETag did not match (or first-write found the key).</exception>
    /// <exception cref="ETagInvalidException">The ETag is malformed for this store.</exception>
    Task SetAsync(StateSetRequest request, CancellationToken cancellationToken);

    Task DeleteAsync(StateDeleteRequest request, CancellationToken cancellationToken);

    /// <summary>All operations in one store transaction (Redis: MULTI/EXEC without rollback).</summary>
    Task ExecuteTransactionAsync(IReadOnlyList<StateOperation> operations, CancellationToken cancellationToken);

    /// <exception cref="NotSupportedException">The store has no query API.</exception>
    Task<StateQueryResult> QueryAsync(string queryJson, CancellationToken cancellationToken);

    /// <summary>
    /// Physical keys matching a SQL LIKE pattern (% and _), live rows only: the KEYS_LIKE feature daprd's
    /// workflow engine uses to list instances.
    /// </summary>
    Task<IReadOnlyList<string>> KeysLikeAsync(string pattern, CancellationToken cancellationToken) =>
        throw new NotSupportedException("this state store does not list keys");
}

/// <summary>Base of the ETag failures daprd distinguishes.</summary>
public abstract class StateETagException(string message) : Exception(message);

/// <summary>daprd: gRPC Aborted on SaveState/DeleteState; Internal inside a transaction. Message as Dapr's state.ETagError.</summary>
public sealed class ETagMismatchException(string? detail = null)
    : StateETagException(detail is null ? "possible etag mismatch. error from state store" : $"possible etag mismatch. error from state store: {detail}");

/// <summary>daprd: gRPC InvalidArgument on SaveState/DeleteState.</summary>
public sealed class ETagInvalidException(string? detail = null)
    : StateETagException(detail is null ? "invalid etag value" : $"invalid etag value: {detail}");

/// <summary>The query JSON is malformed or uses an unsupported construct (daprd: InvalidArgument).</summary>
public sealed class StateQueryException(string message) : Exception(message);
