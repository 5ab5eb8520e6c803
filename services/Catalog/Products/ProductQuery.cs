using System.Buffers.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Catalog.Domain;

namespace Catalog.Products;

/// <summary>
/// The filters of GET /products. Category, active and currency become equality filters of Dapr's query API
/// (which has only EQ/IN/AND/OR); the price range has no operator there, so it is applied to the rows the store
/// returns and paging continues inside a store page (<see cref="PageCursor"/>).
/// </summary>
internal sealed record ProductFilter(string? Category, bool? Active, Currency? Currency, decimal? MinPrice, decimal? MaxPrice)
{
    /// <summary>True when some condition is checked here rather than in the store.</summary>
    public bool FiltersInApp => MinPrice is not null || MaxPrice is not null;

    public bool Matches(ProductState product) =>
        (MinPrice is not { } min || product.Price >= min) && (MaxPrice is not { } max || product.Price <= max);

    /// <summary>The Dapr query (filter on the JSON value's fields, sorted by sku, page limit and store token).</summary>
    public string ToQueryJson(int limit, string? token)
    {
        var conditions = new List<JsonNode>
        {
            Eq("documentType", ProductState.ProductDocument),
        };
        if (Category is not null)
        {
            conditions.Add(Eq("category", Category));
        }

        if (Active is { } active)
        {
            conditions.Add(Eq("active", active));
        }

        if (Currency is { } currency)
        {
            conditions.Add(Eq("currency", currency.ToString()));
        }

        var page = new JsonObject { ["limit"] = limit };
        if (token is not null)
        {
            page["token"] = token;
        }

        var query = new JsonObject
        {
            // AND needs at least two operands.
            ["filter"] = conditions.Count == 1 ? conditions[0] : new JsonObject { ["AND"] = new JsonArray([.. conditions]) },
            ["sort"] = new JsonArray(new JsonObject { ["key"] = "sku", ["order"] = "ASC" }),
            ["page"] = page,
        };
        return query.ToJsonString();
    }

    private static JsonObject Eq(string field, JsonNode value) => new() { ["EQ"] = new JsonObject { [field] = value } };
}

/// <summary>
/// Where the next page starts: the store's own (opaque) token of a store page, how many of its rows were already
/// consumed, and the store page size used. Handed to clients as an opaque base64url string.
/// </summary>
internal sealed record PageCursor(string? StoreToken, int Skip, int Limit)
{
    public string Encode() => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new Wire(StoreToken, Skip, Limit)));

    /// <returns>False for anything this service did not hand out.</returns>
    public static bool TryDecode(string text, out PageCursor? cursor)
    {
        cursor = null;
        try
        {
            var wire = JsonSerializer.Deserialize<Wire>(Base64Url.DecodeFromChars(text));
            if (wire is null || wire.S < 0 || wire.L < 1)
            {
                return false;
            }

            cursor = new PageCursor(wire.T, wire.S, wire.L);
            return true;
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return false;
        }
    }

    private sealed record Wire(string? T, int S, int L);
}
