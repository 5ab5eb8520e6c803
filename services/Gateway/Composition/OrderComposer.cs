using Gateway.Dependencies;

namespace Gateway.Composition;

/// <summary>What composing an order gave: the composed answer, "no such order", or orders could not answer.</summary>
internal abstract record Composition
{
    public sealed record Composed(ComposedOrder Order) : Composition;

    public sealed record OrderNotFound : Composition;

    public sealed record OrdersUnavailable(string Reason) : Composition;
}

/// <summary>
/// Composes <c>GET /api/orders/{id}</c>. Payments and inventory need only the order id, so they are asked at the
/// same time as orders; catalog is asked for every line's SKU (through the cache) as soon as the order is known.
/// Each dependency has its own timeout, retries and breaker in its typed client, so one slow or failing part
/// delays the answer by at most its own budget and only that part goes missing.
/// </summary>
internal sealed class OrderComposer(
    OrdersClient orders,
    CatalogClient catalog,
    PaymentsClient payments,
    InventoryClient inventory,
    ProductCache products,
    ILogger<OrderComposer> logger)
{
    public const string PaymentPartName = "payment";
    public const string StockPartName = "stock";

    public static string ProductPartName(string sku) => $"product:{sku}";

    public async Task<Composition> ComposeAsync(string orderId, CancellationToken cancellationToken)
    {
        // When orders has no answer there is nothing to compose: the side calls are abandoned.
        using var sideCalls = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var paymentTask = payments.GetPaymentAsync(orderId, sideCalls.Token);
        var stockTask = inventory.GetReservationAsync(orderId, sideCalls.Token);

        var order = await orders.GetOrderAsync(orderId, cancellationToken);
        if (order is not Fetch<OrderPart>.Found { Value: var found })
        {
            await sideCalls.CancelAsync();
            await Task.WhenAll(Quietly(paymentTask, sideCalls.Token), Quietly(stockTask, sideCalls.Token));
            return order switch
            {
                Fetch<OrderPart>.Failed failed => new Composition.OrdersUnavailable(failed.Reason),
                _ => new Composition.OrderNotFound(),
            };
        }

        var skus = found.Lines.Select(l => l.Sku).Distinct(StringComparer.Ordinal).ToList();
        var productTasks = skus.Select(sku => products.GetAsync(sku, catalog, cancellationToken)).ToList();
        await Task.WhenAll([paymentTask, stockTask, .. productTasks]);

        var missing = new List<MissingPart>();
        var payment = Take(await paymentTask, PaymentPartName, missing);
        var stock = Take(await stockTask, StockPartName, missing);
        var productParts = new List<ProductPart>();
        foreach (var (sku, task) in skus.Zip(productTasks))
        {
            switch (await task)
            {
                case Fetch<ProductPart>.Found product:
                    productParts.Add(product.Value);
                    break;
                case Fetch<ProductPart>.Failed failed:
                    missing.Add(new MissingPart(ProductPartName(sku), failed.Reason));
                    break;
                default:
                    missing.Add(new MissingPart(ProductPartName(sku), "not-found"));
                    break;
            }
        }

        if (missing.Count > 0)
        {
            logger.PartialOrder(orderId, string.Join(", ", missing.Select(m => $"{m.Part} ({m.Reason})")));
        }

        return new Composition.Composed(new ComposedOrder(found, payment, stock, productParts, missing));
    }

    private static T? Take<T>(Fetch<T> fetch, string part, List<MissingPart> missing)
        where T : class
    {
        switch (fetch)
        {
            case Fetch<T>.Found found:
                return found.Value;
            case Fetch<T>.Failed failed:
                missing.Add(new MissingPart(part, failed.Reason));
                return null;
            default:
                return null;
        }
    }

    // Awaited only so no task is left running unobserved; their outcome no longer matters.
    private static async Task Quietly<T>(Task<T> task, CancellationToken cancelled)
    {
        try
        {
            await task;
        }
        catch (Exception) when (cancelled.IsCancellationRequested)
        {
            // Cancelled on purpose above: a call cut short has no outcome to report.
        }
    }
}
