using Microsoft.Extensions.Options;
using OrderQuery.Domain;
using OrderQuery.Storage;

namespace OrderQuery.Rebuild;

// Our copies of the fields we read from the source services' list APIs (tolerant reader).
internal sealed record CatalogProductCopy(string Sku, string Name, string Category, decimal Price, string Currency, bool Active, long Version, DateTimeOffset UpdatedAt);

internal sealed record CatalogPageCopy(IReadOnlyList<CatalogProductCopy> Items, string? ContinuationToken);

internal sealed record OrderLineCopy(string Sku, string ProductName, int Quantity, decimal UnitPrice);

internal sealed record OrderReviewCopy(string Status, string? Reviewer, DateTimeOffset? DecidedAt);

internal sealed record OrderCopy(
    string OrderId, string CustomerId, string Status, string SagaMode, IReadOnlyList<OrderLineCopy> Lines, string Currency, decimal Total, long Version,
    DateTimeOffset CreatedAt, DateTimeOffset? PlacedAt, DateTimeOffset? ConfirmedAt, DateTimeOffset? CancelledAt, string? CancellationReason,
    DateTimeOffset? CancellationRequestedAt = null, OrderReviewCopy? Review = null);

internal sealed record OrderPageCopy(IReadOnlyList<OrderCopy> Items, string? ContinuationToken);

internal sealed record CustomerPageCopy(IReadOnlyList<string> Items, string? ContinuationToken);

internal sealed record RebuildResult(string Schema, int Products, int Orders, int Customers, int Payments, int Reservations);

/// <summary>
/// Rebuilds the views from the source services' APIs (service invocation): every product from catalog
/// <c>GET /products</c>; every customer from orders <c>GET /customers</c> (plus those the views know and those the
/// caller names), each customer's orders from <c>GET /orders?customerId=</c>, and for each order its payment
/// (<c>GET /payments/{orderId}</c>) and stock reservation (<c>GET /reservations/{orderId}</c>). Each source record
/// becomes the facts its events carried (same event ids, versions and timestamps as the producers' events) and goes
/// through the same version-guarded projection as live events, so a rebuild into a fresh schema equals the live
/// views, and a rebuild into the live schema only repairs, never regresses. Not covered: see <see cref="AdminApi.NotRestored"/>.
/// </summary>
internal sealed class Rebuilder(HttpClient sources, ViewDatabase database, IOptions<OrderQueryOptions> options, ILogger<Rebuilder> logger)
{
    public async Task<RebuildResult> RebuildAsync(string schema, IReadOnlyCollection<string> extraCustomers, CancellationToken cancellationToken)
    {
        await database.MigrateAsync(schema, cancellationToken);
        var target = database.Views(schema);
        var products = await RebuildProductsAsync(target, cancellationToken);

        var customers = (await database.Live.KnownCustomersAsync(cancellationToken))
            .Concat(extraCustomers)
            .Concat(await AllCustomersAsync(cancellationToken))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var counts = new OrderCounts();
        foreach (var customer in customers)
        {
            await RebuildCustomerAsync(target, customer, counts, cancellationToken);
        }

        logger.RebuildFinished(schema, products, counts.Orders, customers.Count, counts.Payments, counts.Reservations);
        return new RebuildResult(schema, products, counts.Orders, customers.Count, counts.Payments, counts.Reservations);
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
        // A choreographed order's approval in review is the first move from placed (v1 → v2, OrderReviewed); a rejection
        // or expiry cancels it in that move instead (the Cancelled branch below, at the order's version).
        var confirmedVersion = 2L;
        if (order.Review is { Status: "Approved", DecidedAt: { } approvedAt } review)
        {
            yield return new OrderReviewedFact($"{order.OrderId}:2", order.OrderId, 2, approvedAt, order.CustomerId, review.Reviewer ?? "");
            confirmedVersion = 3;
        }

        if (order.Status == nameof(OrderState.Confirmed) && order.ConfirmedAt is { } confirmedAt)
        {
            yield return new OrderConfirmedFact($"{order.OrderId}:{order.Version}", order.OrderId, order.Version, confirmedAt, order.CustomerId);
        }
        else if (order.ConfirmedAt is { } earlierConfirmedAt)
        {
            // Confirmed, then moved on (a customer's cancellation): confirm is the only move after placed (or approved).
            yield return new OrderConfirmedFact($"{order.OrderId}:{confirmedVersion}", order.OrderId, confirmedVersion, earlierConfirmedAt, order.CustomerId);
        }

        if (order.CancellationRequestedAt is { } requestedAt)
        {
            // The customer's cancellation moves a confirmed order on by one, whatever follows it.
            var requestedVersion = confirmedVersion + 1;
            yield return new OrderCancellationRequestedFact(
                $"{order.OrderId}:{requestedVersion}", order.OrderId, requestedVersion, requestedAt, order.CustomerId, order.CancellationReason ?? "");
        }

        if (order.Status == nameof(OrderState.Cancelled) && order.CancelledAt is { } cancelledAt)
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

    /// <summary>Every customer orders knows (its customer directory), a page at a time.</summary>
    private async Task<IReadOnlyList<string>> AllCustomersAsync(CancellationToken cancellationToken)
    {
        var customers = new List<string>();
        string? token = null;
        do
        {
            var page = await GetAsync<CustomerPageCopy>(DaprNames.OrdersAppId, "customers", [("pageSize", PageSize), ("continuationToken", token)], cancellationToken);
            customers.AddRange(page.Items);
            token = page.ContinuationToken;
        }
        while (token is not null);
        return customers;
    }

    private async Task RebuildCustomerAsync(ViewStore target, string customerId, OrderCounts counts, CancellationToken cancellationToken)
    {
        string? token = null;
        do
        {
            var page = await GetAsync<OrderPageCopy>(DaprNames.OrdersAppId, "orders", [("customerId", customerId), ("pageSize", PageSize), ("continuationToken", token)], cancellationToken);
            foreach (var order in page.Items)
            {
                var path = Uri.EscapeDataString(order.OrderId);
                var payment = await GetOptionalAsync<PaymentCopy>(DaprNames.PaymentsAppId, $"payments/{path}", cancellationToken);
                var reservation = await GetOptionalAsync<ReservationCopy>(DaprNames.InventoryAppId, $"reservations/{path}", cancellationToken);
                var facts = FactsOf(order)
                    .Concat(payment is null ? [] : SourceFacts.FactsOf(payment))
                    .Concat(reservation is null ? [] : SourceFacts.FactsOf(reservation));
                foreach (var fact in facts)
                {
                    await target.ApplyOrderFactAsync(fact, viaInbox: false, cancellationToken);
                }

                counts.Orders++;
                counts.Payments += payment is null ? 0 : 1;
                counts.Reservations += reservation is null ? 0 : 1;
            }

            token = page.ContinuationToken;
        }
        while (token is not null);
    }

    private string PageSize => options.Value.RebuildPageSize.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A GET through Dapr service invocation (the client's InvocationHandler sends http://&lt;app id&gt;/… to the sidecar).</summary>
    private async Task<T> GetAsync<T>(string appId, string path, (string Name, string? Value)[] query, CancellationToken cancellationToken)
    {
        var parameters = string.Join('&', query.Where(q => q.Value is not null).Select(q => $"{q.Name}={Uri.EscapeDataString(q.Value!)}"));
        return await sources.GetFromJsonAsync<T>($"http://{appId}/{path}?{parameters}", SourceJson, cancellationToken)
            ?? throw new InvalidOperationException($"{appId} answered GET /{path} with an empty body");
    }

    /// <summary>A GET of one record by id: null when its service has none (404, e.g. an order that never reached payment).</summary>
    private async Task<T?> GetOptionalAsync<T>(string appId, string path, CancellationToken cancellationToken)
        where T : class
    {
        using var response = await sources.GetAsync($"http://{appId}/{path}", cancellationToken);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<T>(SourceJson, cancellationToken)
            ?? throw new InvalidOperationException($"{appId} answered GET /{path} with an empty body");
    }

    private sealed class OrderCounts
    {
        public int Orders { get; set; }

        public int Payments { get; set; }

        public int Reservations { get; set; }
    }

    private static readonly System.Text.Json.JsonSerializerOptions SourceJson = new(System.Text.Json.JsonSerializerDefaults.Web);
}
