using EndToEnd.Infrastructure;

namespace EndToEnd;

/// <summary>
/// The comparison F5's test relies on, without a run: what it normalises away stays equal, and a business
/// difference is found and named.
/// </summary>
public sealed class BusinessStateTests
{
    private const string Placed = """
        {"orderId":"order-1","status":"Confirmed","version":2,"confirmedAt":"2026-11-26T15:09:36.88+00:00","paymentId":"7d4f0f4e-2b7c-4c55-9a53-0c1f1ef1a001",
         "timeline":[{"eventType":"OrderPlaced","at":"2026-11-26T15:09:30Z"},{"eventType":"OrderConfirmed","at":"2026-11-26T15:09:36Z"}],
         "stalenessMs":1338.7,"requests":1}
        """;

    [Fact]
    public void Differences_OnlyTimestampsIdsListOrderAndDeliveryDetailsDiffer_NoneFound()
    {
        const string again = """
            {"orderId":"order-2","status":"Confirmed","version":2,"confirmedAt":"2026-11-26T16:00:00Z","paymentId":"0b8e2a7c-98d1-4f3a-b2a4-5e6f70819202",
             "timeline":[{"eventType":"OrderConfirmed","at":"2026-11-26T16:00:00Z"},{"eventType":"OrderPlaced","at":"2026-11-26T15:59:59Z"}],
             "stalenessMs":252.3,"requests":3}
            """;

        var differences = BusinessState.FromViews("order-1", [("order", Placed)]).Differences(BusinessState.FromViews("order-2", [("order", again)]));

        Assert.Empty(differences);
    }

    [Fact]
    public void Differences_StatusVersionAndAnExtraTimelineEntryDiffer_EachNamedInFieldOrder()
    {
        const string cancelled = """
            {"orderId":"order-1","status":"Cancelled","version":3,"paymentId":"7d4f0f4e-2b7c-4c55-9a53-0c1f1ef1a001",
             "timeline":[{"eventType":"OrderPlaced"},{"eventType":"OrderConfirmed"},{"eventType":"OrderConfirmed"}]}
            """;

        var differences = BusinessState.FromViews("order-1", [("order", Placed)]).Differences(BusinessState.FromViews("order-1", [("order", cancelled)]));

        Assert.Equal(
            [
                "order.status: Confirmed ≠ Cancelled",
                "order.timeline.count: 2 ≠ 3",
                // Items compare in sorted order: the duplicate shifts OrderPlaced to the end.
                "order.timeline[1].eventType: OrderPlaced ≠ OrderConfirmed",
                "order.version: 2 ≠ 3",
                "order.timeline[2].eventType: (absent) ≠ OrderPlaced",
            ],
            differences);
    }

    [Fact]
    public void Differences_OneSourceHasNoRecord_NamesTheSource()
    {
        var differences = BusinessState.FromViews("order-1", [("payment", """{"status":"Succeeded"}""")]).Differences(BusinessState.FromViews("order-1", [("payment", null)]));

        Assert.Equal(["payment.status: Succeeded ≠ (absent)", "payment: (absent) ≠ none"], differences);
    }
}
