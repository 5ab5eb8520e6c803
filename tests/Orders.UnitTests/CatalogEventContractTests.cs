using System.Text.Json;
using Orders.Replica;

namespace Orders.UnitTests;

/// <summary>Our copy of the catalog's product snapshot events reads the producer's shape (events.md), extra fields ignored.</summary>
public sealed class CatalogEventContractTests
{
    private const string ProductPriceChanged = """
        {"eventId":"SKU-1:4","sku":"SKU-1","version":4,"name":"Apple","category":"fruit","price":1.35,
         "currency":"EUR","active":true,"occurredAt":"2025-01-02T03:04:05+00:00","previousPrice":1.25}
        """;

    [Fact]
    public void ProductPriceChanged_ProducerSample_ReadsEveryFieldWeUse()
    {
        var read = JsonSerializer.Deserialize<CatalogProductEvent>(ProductPriceChanged, CatalogEventsApi.EventJson);

        Assert.Equal(new CatalogProductEvent("SKU-1:4", "SKU-1", 4, "Apple", 1.35m, "EUR", true, new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero)), read);
    }

    [Theory]
    [InlineData("""{"eventId":"e","sku":"S","name":"n","price":1,"currency":"EUR","active":true,"occurredAt":"2025-01-02T03:04:05Z"}""")]
    [InlineData("""{"eventId":"e","sku":null,"version":1,"name":"n","price":1,"currency":"EUR","active":true,"occurredAt":"2025-01-02T03:04:05Z"}""")]
    [InlineData("""{"eventId":"e","sku":"S","version":"one","name":"n","price":1,"currency":"EUR","active":true,"occurredAt":"2025-01-02T03:04:05Z"}""")]
    public void ProductEvent_MissingOrMistypedField_Unreadable(string json) =>
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<CatalogProductEvent>(json, CatalogEventsApi.EventJson));
}
