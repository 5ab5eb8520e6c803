using Microsoft.Extensions.Options;
using OrderQuery.Domain;
using OrderQuery.Storage;

namespace OrderQuery.Rebuild;

// Our copies of the fields we read from the source services' list APIs (tolerant reader).
internal sealed record CatalogProductCopy(string Sku, string Name, string Category, decimal Price, string Currency, bool Active, long Version, DateTimeOffset UpdatedAt);

internal sealed record CatalogPageCopy(IReadOnlyList<CatalogProductCopy> Items, string? ContinuationToken);

internal sealed record OrderLineCopy(string Sku, string ProductName, int Quantity, decimal UnitPrice);

internal sealed record OrderCopy(
    string OrderId, string CustomerId, string Status, string SagaMode, IReadOnlyList<OrderLineCopy> Lines, string Currency, decimal Total, long Version,
    DateTimeOffset CreatedAt, DateTimeOffset? PlacedAt, DateTimeOffset? ConfirmedAt, DateTimeOffset? CancelledAt, string? CancellationReason);

internal sealed record OrderPageCopy(IReadOnlyList<OrderCopy> Items, string? ContinuationToken);

internal sealed record RebuildResult(string Schema, int Products, int Orders, int Customers);

/// <summary>
/// Rebuilds the views from the source services' list APIs (service invocation): every product from catalog
/// <c>GET /products</c>, and every order of the known customers from orders <c>GET /orders?customerId=</c>. Each
/// source record becomes the facts its events carried (same event ids, versions and timestamps as the orders and
/// catalog events) and goes through the same version-guarded projection as live events, so a rebuild into a fresh
/// schema equals the live views for what it covers, and a rebuild into the live schema only repairs, never regresses.
/// Not covered: payment and stock status and their timeline entries (see README), orders of customers the views
/// never saw (orders offers no "all orders" list).
/// </summary>
internal sealed class Rebuilder(HttpClient sources, ViewDatabase database, IOptions<OrderQueryOptions> options, ILogger<Rebuilder> logger)
{
    public async Task<RebuildResult> RebuildAsync(string schema, IReadOnlyCollection<string> extraCustomers, CancellationToken cancellationToken)
    {
        await database.MigrateAsync(schema, cancellationToken);
        var target = database.Views(schema);
        var products = await RebuildProductsAsync(target, cancellationToken);

        var customers = (await database.Live.KnownCustomersAsync(cancellationToken)).Concat(extraCustomers).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var orders = 0;
        foreach (var customer in customers)
        {
            orders += await RebuildCustomerAsync(target, customer, cancellationToken);
        }

        logger.RebuildFinished(schema, products, orders, customers.Count);
        return new RebuildResult(schema, products, orders, customers.Count);
    }

    /// <summary>The facts an order's events carried, reconstructed from the order as orders reports it now.</summary>
    internal static IEnumerable<OrderFact> FactsOf(OrderCopy order)
    {
        if (order.PlacedAt is not { } placedAt)
        {
            yield break;
        }

        // Orders numbers its versions: placed = 1, then one per transition; eventId = "<order id>:<version>".
        yield return new OrderPlacedFact($"{order.OrderId}:1", order.OrderId, 1, placedAt, order.CustomerId, order.SagaMode,
            [.. order.Lines.Select(l => new SummaryLine(l.Sku, l.ProductName, l.Quantity, l.UnitPrice, l.UnitPrice * l.Quantity))], order.Currency, order.Total);
        if (order.Status == nameof(OrderState.Confirmed) && order.ConfirmedAt is { } confirmedAt)
        {
            yield return new OrderConfirmedFact($"{order.OrderId}:{order.Version}", order.OrderId, order.Version, confirmedAt, order.CustomerId);
        }
        else if (order.Status == nameof(OrderState.Cancelled) && order.CancelledAt is { } cancelledAt)
        {
            yield return new OrderCancelledFact($"{order.OrderId}:{order.Version}", order.OrderId, order.Version, cancelledAt, order.CustomerId, order.CancellationReason ?? "");
        }
    }

    private async Task<int> RebuildProductsAsync(ViewStore target, CancellationToken cancellationToken)
    {
        var count = 0;
        string? token = null;
        do
        {
            var page = await GetAsync<CatalogPageCopy>(DaprNames.CatalogAppId, "products", [("pageSize", PageSize), ("continuationToken", token)], cancellationToken);
            foreach (var p in page.Items)
            {
                var view = new ProductView(p.Sku, p.Name, p.Category, p.Price, p.Currency, p.Active, p.Version, p.UpdatedAt);
                await target.ApplyProductAsync($"{p.Sku}:{p.Version}", "Rebuild", view, viaInbox: false, cancellationToken);
                count++;
            }

            token = page.ContinuationToken;
        }
        while (token is not null);
        return count;
    }

    private async Task<int> RebuildCustomerAsync(ViewStore target, string customerId, CancellationToken cancellationToken)
    {
        var count = 0;
        string? token = null;
        do
        {
            var page = await GetAsync<OrderPageCopy>(DaprNames.OrdersAppId, "orders", [("customerId", customerId), ("pageSize", PageSize), ("continuationToken", token)], cancellationToken);
            foreach (var order in page.Items)
            {
                foreach (var fact in FactsOf(order))
                {
                    await target.ApplyOrderFactAsync(fact, viaInbox: false, cancellationToken);
                }

                count++;
            }

            token = page.ContinuationToken;
        }
        while (token is not null);
        return count;
    }

    private string PageSize => options.Value.RebuildPageSize.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A GET through Dapr service invocation (the client's InvocationHandler sends http://&lt;app id&gt;/… to the sidecar).</summary>
    private async Task<T> GetAsync<T>(string appId, string path, (string Name, string? Value)[] query, CancellationToken cancellationToken)
    {
        var parameters = string.Join('&', query.Where(q => q.Value is not null).Select(q => $"{q.Name}={Uri.EscapeDataString(q.Value!)}"));
        return await sources.GetFromJsonAsync<T>($"http://{appId}/{path}?{parameters}", SourceJson, cancellationToken)
            ?? throw new InvalidOperationException($"{appId} answered GET /{path} with an empty body");
    }

    private static readonly System.Text.Json.JsonSerializerOptions SourceJson = new(System.Text.Json.JsonSerializerDefaults.Web);
}
