namespace Sidecar.State;

/// <summary>
/// state.in-memory: one sidecar's process memory. UUID ETags compared as opaque strings (so a malformed
/// ETag is a mismatch), first-write refuses an existing key, TTL cleared by a rewrite without one,
/// transactions all-or-nothing under one lock.
/// </summary>
internal sealed class InMemoryStateStore(TimeProvider time) : IStateStore
{
    private readonly Dictionary<string, Item> _items = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public StateFeatures Features => StateFeatures.ETag | StateFeatures.Transactional | StateFeatures.Ttl;

    public Task InitAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<StateEntry?> GetAsync(string key, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(Live(key) is { } item ? new StateEntry(item.Data, item.ETag, item.ExpiresAt) : null);
        }
    }

    public Task SetAsync(StateSetRequest request, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            CheckSet(request);
            Apply(request);
        }

        return Task.CompletedTask;
    }

    public Task DeleteAsync(StateDeleteRequest request, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            CheckDelete(request);
            _items.Remove(request.Key);
        }

        return Task.CompletedTask;
    }

    public Task ExecuteTransactionAsync(IReadOnlyList<StateOperation> operations, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            // Each operation is checked against the state the ones before it left; if one check fails, the keys
            // touched so far get their old items back (an undo log of those keys only: copying the whole store made
            // every transaction as slow as the store is large).
            var undo = new Dictionary<string, Item?>(StringComparer.Ordinal);
            try
            {
                foreach (var operation in operations)
                {
                    undo.TryAdd(operation.Key, _items.GetValueOrDefault(operation.Key));
                    switch (operation)
                    {
                        case UpsertOperation upsert:
                            CheckSet(upsert.Request);
                            Apply(upsert.Request);
                            break;
                        case DeleteOperation delete:
                            CheckDelete(delete.Request);
                            _items.Remove(delete.Request.Key);
                            break;
                    }
                }
            }
            catch
            {
                foreach (var (key, previous) in undo)
                {
                    if (previous is null)
                    {
                        _items.Remove(key);
                    }
                    else
                    {
                        _items[key] = previous;
                    }
                }

                throw;
            }
        }

        return Task.CompletedTask;
    }

    public Task<StateQueryResult> QueryAsync(string queryJson, CancellationToken cancellationToken) =>
        throw new NotSupportedException("state store does not support querying");

    public Task<IReadOnlyList<string>> KeysLikeAsync(string pattern, CancellationToken cancellationToken)
    {
        var regex = KeysLike.ToRegex(pattern);
        lock (_lock)
        {
            // Materialise first: Live() drops expired items from the dictionary.
            var matching = _items.Keys.Where(k => regex.IsMatch(k)).ToList();
            return Task.FromResult<IReadOnlyList<string>>(matching.Where(k => Live(k) is not null).ToList());
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private Item? Live(string key)
    {
        if (!_items.TryGetValue(key, out var item))
        {
            return null;
        }

        if (item.ExpiresAt is { } expiresAt && expiresAt <= time.GetUtcNow())
        {
            _items.Remove(key);
            return null;
        }

        return item;
    }

    private void CheckSet(StateSetRequest request) => CheckETag(request.Key, request.ETag, request.Concurrency);

    private void CheckDelete(StateDeleteRequest request) => CheckETag(request.Key, string.IsNullOrEmpty(request.ETag) ? null : request.ETag, request.Concurrency);

    /// <summary>Dapr's doValidateEtag, with its messages.</summary>
    private void CheckETag(string key, string? etag, StateConcurrency concurrency)
    {
        var existing = Live(key);
        if (etag is null)
        {
            if (concurrency == StateConcurrency.FirstWrite && existing is not null)
            {
                throw new ETagMismatchException("item already exists and no etag was passed");
            }

            return;
        }

        if (existing is null)
        {
            throw new ETagMismatchException($"state not exist or expired for key={key}");
        }

        if (existing.ETag != etag)
        {
            throw new ETagMismatchException($"state etag not match for key={key}: current={existing.ETag}, expect={etag}");
        }
    }

    private void Apply(StateSetRequest request)
    {
        DateTimeOffset? expiresAt = request.TtlSeconds is { } ttl and > 0 ? time.GetUtcNow().AddSeconds(ttl) : null;
        _items[request.Key] = new Item(request.Value.Bytes.ToArray(), Guid.NewGuid().ToString(), expiresAt);
    }

    private sealed record Item(byte[] Data, string ETag, DateTimeOffset? ExpiresAt);
}
