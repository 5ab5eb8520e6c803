using Dapr;
using Dapr.Client;
using Gateway.Dependencies;
using Microsoft.Extensions.Options;

namespace Gateway.Composition;

/// <summary>
/// Cache-aside for catalog products in <c>gateway-cache</c>: a hit is served without calling catalog; a miss asks
/// catalog and stores the answer with <c>ttlInSeconds</c>, so a price change shows after at most the TTL. The cache
/// is an optimisation: when it cannot be read or written, catalog is asked and the failure is logged.
/// </summary>
internal sealed class ProductCache(DaprClient dapr, IOptions<GatewayOptions> options, ILogger<ProductCache> logger)
{
    public static string Key(string sku) => $"product:{sku}";

    public async Task<Fetch<ProductPart>> GetAsync(string sku, CatalogClient catalog, CancellationToken cancellationToken)
    {
        try
        {
            if (await dapr.GetStateAsync<ProductPart>(DaprNames.CacheStore, Key(sku), cancellationToken: cancellationToken) is { } cached)
            {
                return new Fetch<ProductPart>.Found(cached);
            }
        }
        catch (DaprException ex)
        {
            logger.CacheReadFailed(sku, ex.Message);
        }

        var fetched = await catalog.GetProductAsync(sku, cancellationToken);
        if (fetched is Fetch<ProductPart>.Found found)
        {
            await PutAsync(found.Value, cancellationToken);
        }

        return fetched;
    }

    private async Task PutAsync(ProductPart product, CancellationToken cancellationToken)
    {
        var ttl = ((int)Math.Ceiling(options.Value.ProductCacheTtl.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            await dapr.SaveStateAsync(DaprNames.CacheStore, Key(product.Sku), product,
                metadata: new Dictionary<string, string> { ["ttlInSeconds"] = ttl }, cancellationToken: cancellationToken);
        }
        catch (DaprException ex)
        {
            logger.CacheWriteFailed(product.Sku, ex.Message);
        }
    }
}
