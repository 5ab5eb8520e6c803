using System.Text.Json;
using Catalog.Domain;
using Dapr;
using Dapr.Client;
using Grpc.Core;
using Microsoft.Extensions.Options;
using ServiceDefaults;

namespace Catalog.Products;

/// <summary>The result of a write command.</summary>
internal abstract record WriteOutcome
{
    private WriteOutcome()
    {
    }

    public sealed record NotFound : WriteOutcome;

    public sealed record AlreadyExists : WriteOutcome;

    /// <summary>The client's If-Match no longer names the stored version.</summary>
    public sealed record PreconditionFailed : WriteOutcome;

    public sealed record Rejected(IReadOnlyList<ValidationError> Errors) : WriteOutcome;

    /// <param name="ETag">The store ETag of <paramref name="Product"/>; null when a newer write overtook it before it was read back.</param>
    /// <param name="Changed">False when the command changed nothing (no new version, no event).</param>
    public sealed record Written(Product Product, string? ETag, bool Changed) : WriteOutcome;
}

/// <summary>
/// Products in catalog-store. It owns what a plain DaprClient call would scatter: the key scheme, the ETag
/// read-modify-write loop, the outbox transaction (one product upsert plus its event as the projection), and
/// making the committed row queryable.
/// </summary>
/// <remarks>
/// Why the re-save after the transaction: daprd hands a transaction's values to the store as bytes whatever their
/// contentType (dotnet-sdk #1458), and state.postgresql v1 keeps bytes as a base64 JSON string, which the query
/// API cannot filter on. So once the outbox transaction committed, the same value is saved again through
/// SaveState with <c>contentType: application/json</c> and the ETag just read, which stores it as a JSON document
/// (no event: SaveState never publishes). MongoDB stores a transaction's JSON upsert as a document already
/// (components-contrib #3576), where the re-save is a harmless rewrite of identical content. If the process dies
/// between the two steps, the product is correct for GET and the next write makes it listable again.
/// </remarks>
internal sealed class ProductStore(DaprClient dapr, ProductWriteGate gate, TimeProvider time, IOptions<CatalogOptions> options, ILogger<ProductStore> logger)
{
    private static readonly Dictionary<string, string> JsonContent = new() { ["contentType"] = "application/json" };

    public static string Key(string sku) => "product:" + sku;

    public async Task<(ProductState? Product, string ETag)> FindAsync(string sku, CancellationToken cancellationToken) =>
        await dapr.GetStateAndETagAsync<ProductState>(DaprNames.StateStore, Key(sku), cancellationToken: cancellationToken);

    /// <summary>First-write: of two concurrent creates of one SKU exactly one commits (and publishes).</summary>
    public async Task<WriteOutcome> CreateAsync(Func<DateTimeOffset, Decision> decide, CancellationToken cancellationToken)
    {
        switch (decide(time.GetUtcNow()))
        {
            case Decision.Rejected rejected:
                return new WriteOutcome.Rejected(rejected.Errors);
            case Decision.Changed { Change: var change }:
                using (await gate.EnterAsync(change.Product.Sku, cancellationToken))
                {
                    return await CreateAsync(change, cancellationToken);
                }

            default:
                throw new InvalidOperationException("a create either changes or is rejected");
        }
    }

    private async Task<WriteOutcome> CreateAsync(ProductChange change, CancellationToken cancellationToken)
    {
        var sku = change.Product.Sku;
        var (existing, _) = await FindAsync(sku, cancellationToken);
        if (existing is not null || !await TryCommitAsync(change, etag: null, cancellationToken))
        {
            logger.ProductExists(sku);
            return new WriteOutcome.AlreadyExists();
        }

        return new WriteOutcome.Written(change.Product, await MakeQueryableAsync(change.Product, cancellationToken), Changed: true);
    }

    /// <summary>
    /// Read, decide, write with the ETag read. With <paramref name="ifMatch"/> the client pinned a version: a conflict
    /// is 412. Without it a conflict means someone else wrote first: read again and decide again (no lost update),
    /// up to <see cref="CatalogOptions.MaxWriteAttempts"/> times.
    /// </summary>
    public async Task<WriteOutcome> ModifyAsync(string sku, string? ifMatch, Func<Product, DateTimeOffset, Decision> decide, CancellationToken cancellationToken)
    {
        using var _ = await gate.EnterAsync(sku, cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            var (state, etag) = await FindAsync(sku, cancellationToken);
            if (state is null)
            {
                return new WriteOutcome.NotFound();
            }

            var decision = decide(state.ToProduct(), time.GetUtcNow());
            if (decision is Decision.Rejected rejected)
            {
                return new WriteOutcome.Rejected(rejected.Errors);
            }

            if (ifMatch is not null && !ETags.Matches(ifMatch, etag))
            {
                return new WriteOutcome.PreconditionFailed();
            }

            if (decision is Decision.Unchanged unchanged)
            {
                return new WriteOutcome.Written(unchanged.Product, etag, Changed: false);
            }

            var change = ((Decision.Changed)decision).Change;
            if (await TryCommitAsync(change, etag, cancellationToken))
            {
                return new WriteOutcome.Written(change.Product, await MakeQueryableAsync(change.Product, cancellationToken), Changed: true);
            }

            if (ifMatch is not null)
            {
                return new WriteOutcome.PreconditionFailed();
            }

            if (attempt >= options.Value.MaxWriteAttempts)
            {
                throw new ConcurrencyConflictException($"Product {sku} kept changing concurrently; {attempt} attempts failed. Retry later.");
            }

            logger.WriteConflict(sku, attempt);
            await Task.Delay(Backoff(attempt), time, cancellationToken);
        }
    }

    /// <summary>
    /// One page of products, sorted by SKU. Store pages are read until the page is full, the store has no more
    /// rows, or <see cref="CatalogOptions.MaxQueryPagesPerRequest"/> store pages were read (then the page may be
    /// short but carries a token).
    /// </summary>
    public async Task<(IReadOnlyList<ProductState> Items, PageCursor? Next)> ListAsync(
        ProductFilter filter, int pageSize, PageCursor? cursor, CancellationToken cancellationToken)
    {
        // Without in-app filtering a store page is exactly the page; with it, read larger store pages.
        var limit = cursor?.Limit ?? (filter.FiltersInApp ? options.Value.MaxPageSize : pageSize);
        var storeToken = cursor?.StoreToken;
        var skip = cursor?.Skip ?? 0;
        var items = new List<ProductState>(pageSize);
        for (var read = 0; read < options.Value.MaxQueryPagesPerRequest; read++)
        {
            var page = await dapr.QueryStateAsync<ProductState>(
                DaprNames.StateStore, filter.ToQueryJson(limit, storeToken), cancellationToken: cancellationToken);
            var rows = page.Results;
            for (var i = skip; i < rows.Count; i++)
            {
                if (rows[i].Data is not { } product || !filter.Matches(product))
                {
                    continue;
                }

                items.Add(product);
                if (items.Count == pageSize)
                {
                    var more = i + 1 < rows.Count || (rows.Count == limit && !string.IsNullOrEmpty(page.Token));
                    var next = i + 1 < rows.Count ? new PageCursor(storeToken, i + 1, limit) : new PageCursor(page.Token, 0, limit);
                    return (items, more ? next : null);
                }
            }

            // A short store page is the last one; the store answers an empty page without a token.
            if (rows.Count < limit || string.IsNullOrEmpty(page.Token))
            {
                return (items, null);
            }

            storeToken = page.Token;
            skip = 0;
        }

        return (items, new PageCursor(storeToken, 0, limit));
    }

    /// <returns>False when the ETag (or, for a create, the key's absence) no longer holds.</returns>
    private async Task<bool> TryCommitAsync(ProductChange change, string? etag, CancellationToken cancellationToken)
    {
        var product = change.Product;
        var key = Key(product.Sku);
        var (eventType, payload) = change.ToEvent(product.UpdatedAt);
        var typed = new Dictionary<string, string>(JsonContent) { ["type"] = eventType };
        StateTransactionRequest[] operations =
        [
            // The real write. Its metadata also names the CloudEvent type: daprd copies an op's metadata into the event.
            new(key, JsonSerializer.SerializeToUtf8Bytes(product.ToState(), JsonSerializerOptions.Web), StateOperationType.Upsert,
                etag: etag, metadata: typed,
                options: etag is null ? new StateOptions { Concurrency = ConcurrencyMode.FirstWrite } : null),
            // The event, published instead of the product value and never written to the store.
            new(key, JsonSerializer.SerializeToUtf8Bytes(payload, payload.GetType(), JsonSerializerOptions.Web), StateOperationType.Upsert,
                metadata: new Dictionary<string, string>(typed) { ["outbox.projection"] = "true" }),
        ];
        try
        {
            await dapr.ExecuteStateTransactionAsync(DaprNames.StateStore, operations, cancellationToken: cancellationToken);
        }
        catch (DaprException ex) when (ex.InnerException is RpcException { StatusCode: StatusCode.Internal })
        {
            // daprd reports every store failure of a transaction as Internal; decide by what is stored now.
            var (current, currentETag) = await FindAsync(product.Sku, cancellationToken);
            var conflict = etag is null ? current is not null : currentETag != etag;
            if (!conflict)
            {
                throw;
            }

            return false;
        }

        logger.ProductWritten(product.Sku, product.Version, change.Kind);
        return true;
    }

    /// <summary>Re-saves the committed version as a JSON document (see remarks) and returns its new ETag.</summary>
    private async Task<string?> MakeQueryableAsync(Product product, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var (state, etag) = await FindAsync(product.Sku, cancellationToken);
            if (state?.Version != product.Version)
            {
                logger.IndexSkipped(product.Sku, product.Version);
                return null;
            }

            if (await dapr.TrySaveStateAsync(DaprNames.StateStore, Key(product.Sku), state, etag, metadata: JsonContent, cancellationToken: cancellationToken))
            {
                var (saved, savedETag) = await FindAsync(product.Sku, cancellationToken);
                return saved?.Version == product.Version ? savedETag : null;
            }
        }

        // Two writers in a row overtook this one: the newest of them re-saves the row.
        logger.IndexSkipped(product.Sku, product.Version);
        return null;
    }

    private static TimeSpan Backoff(int attempt) =>
        TimeSpan.FromMilliseconds(Random.Shared.Next(1, 10 * Math.Min(attempt, 10) + 1));
}
