using System.Text.Json;
using Catalog.Domain;
using Catalog.Products;

namespace Catalog.UnitTests;

public sealed class ProductQueryTests
{
    private static ProductState State(decimal price) =>
        new(ProductState.ProductDocument, "S", "N", "", "c", price, "EUR", true, 1, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

    [Fact]
    public void ToQueryJson_NoFilters_OnlyProductDocumentsSortedBySkuWithLimit()
    {
        var json = new ProductFilter(null, null, null, null, null).ToQueryJson(25, null);

        Assert.Equal("""{"filter":{"EQ":{"documentType":"product"}},"sort":[{"key":"sku","order":"ASC"}],"page":{"limit":25}}""", json);
    }

    [Fact]
    public void ToQueryJson_EqualityFiltersAndToken_AndOfEqualities()
    {
        var json = new ProductFilter("kitchen", false, Currency.JPY, 1m, 2m).ToQueryJson(10, "40");

        using var query = JsonDocument.Parse(json);
        var and = query.RootElement.GetProperty("filter").GetProperty("AND").EnumerateArray().Select(e => e.GetRawText()).ToList();
        Assert.Equal(
            ["""{"EQ":{"documentType":"product"}}""", """{"EQ":{"category":"kitchen"}}""", """{"EQ":{"active":false}}""", """{"EQ":{"currency":"JPY"}}"""],
            and);
        Assert.Equal("40", query.RootElement.GetProperty("page").GetProperty("token").GetString());
    }

    [Theory]
    [InlineData(null, null, 5.0, true)]
    [InlineData(5.0, 5.0, 5.0, true)]
    [InlineData(6.0, null, 5.0, false)]
    [InlineData(null, 4.99, 5.0, false)]
    public void Matches_PriceRange_InclusiveBounds(double? min, double? max, double price, bool expected)
    {
        var filter = new ProductFilter(null, null, null, (decimal?)min, (decimal?)max);

        Assert.Equal(expected, filter.Matches(State((decimal)price)));
        Assert.Equal(min is not null || max is not null, filter.FiltersInApp);
    }

    [Fact]
    public void PageCursor_RoundTrip_Equal()
    {
        var cursor = new PageCursor("120", 3, 100);

        Assert.True(PageCursor.TryDecode(cursor.Encode(), out var decoded));
        Assert.Equal(cursor, decoded);
    }

    [Theory]
    [InlineData("not-ours")]
    [InlineData("")]
    [InlineData("eyJUIjpudWxsLCJTIjotMSwiTCI6MTB9")] // {"T":null,"S":-1,"L":10}
    public void PageCursor_Foreign_Refused(string token)
    {
        Assert.False(PageCursor.TryDecode(token, out _));
    }
}
