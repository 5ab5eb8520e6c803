using OrderQuery.Storage;

namespace OrderQuery.Projections;

/// <summary>Applies a live event to the live views (deduplicated by the inbox, staleness recorded).</summary>
internal sealed class EventProjector(ViewDatabase database, ILogger<EventProjector> logger)
{
    public async Task<ProjectionOutcome> ProjectAsync(ParsedEvent parsed, CancellationToken cancellationToken)
    {
        var views = database.Live;
        switch (parsed)
        {
            case ParsedEvent.ForOrder { Fact: var fact }:
                var outcome = await views.ApplyOrderFactAsync(fact, viaInbox: true, cancellationToken);
                logger.EventProjected(fact.EventType, fact.EventId, fact.OrderId, fact.Version, outcome);
                return outcome;
            case ParsedEvent.ForProduct product:
                var productOutcome = await views.ApplyProductAsync(product.EventId, product.EventType, product.Product, viaInbox: true, cancellationToken);
                logger.EventProjected(product.EventType, product.EventId, product.Product.Sku, product.Product.Version, productOutcome);
                return productOutcome;
            default:
                throw new ArgumentOutOfRangeException(nameof(parsed), parsed, "only usable events are projected");
        }
    }
}
