using System.Text.Json;
using Catalog.Contracts;
using Catalog.Domain;
using Catalog.Products;

namespace Catalog.UnitTests;

public sealed class ProductMappingsTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private static readonly Product Mug = new("MUG-1", "Mug", "d", "kitchen", new Money(12.5m, Currency.EUR), true, 3, Now, Now);

    [Fact]
    public void State_RoundTrip_SameProduct()
    {
        Assert.Equal(Mug, Mug.ToState().ToProduct());
        Assert.Equal(ProductState.ProductDocument, Mug.ToState().DocumentType);
    }

    [Fact]
    public void ToEvent_PriceChange_PriceChangedWithPreviousPriceAndDeterministicId()
    {
        var (type, payload) = new ProductChange(ProductChangeKind.PriceChanged, Mug, new Money(10m, Currency.USD)).ToEvent(Now);

        Assert.Equal("ProductPriceChanged", type);
        Assert.Equal(new ProductPriceChanged("MUG-1:3", "MUG-1", 3, "Mug", "kitchen", 12.5m, "EUR", true, 10m, "USD", Now), payload);
    }

    [Theory]
    [InlineData(ProductChangeKind.Created, "ProductCreated")]
    [InlineData(ProductChangeKind.Updated, "ProductUpdated")]
    public void ToEvent_SnapshotEvents_TypeIsRecordName(ProductChangeKind kind, string expected)
    {
        var (type, payload) = new ProductChange(kind, Mug).ToEvent(Now);

        Assert.Equal(expected, type);
        Assert.Equal(expected, payload.GetType().Name);
    }

    [Fact]
    public void ToEvent_Created_SerializesToTheContractFields()
    {
        var (_, payload) = new ProductChange(ProductChangeKind.Created, Mug).ToEvent(Now);

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(payload, payload.GetType(), JsonSerializerOptions.Web));
        Assert.Equal(["active", "category", "currency", "eventId", "name", "occurredAt", "price", "sku", "version"],
            json.RootElement.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(JsonValueKind.Number, json.RootElement.GetProperty("price").ValueKind);
    }
}
