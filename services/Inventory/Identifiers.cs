namespace Inventory;

/// <summary>What a SKU, order id or restock id may look like (no "||", which Dapr forbids in keys).</summary>
public static class Identifiers
{
    public const string Pattern = "^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$";
}

/// <summary>HTTP ETags are quoted; the store's are not.</summary>
internal static class ETags
{
    public static string ToHeader(string etag) => $"\"{etag}\"";

    public static string FromHeader(string header)
    {
        var value = header.Trim();
        if (value.StartsWith("W/", StringComparison.Ordinal))
        {
            value = value[2..];
        }

        return value.Trim('"');
    }
}

/// <summary>The problem details several endpoints answer alike.</summary>
internal static class Problems
{
    public static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult UnknownSku(params IReadOnlyList<string> skus) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Unknown SKU",
        detail: $"No stock is recorded for {string.Join(", ", skus)}.",
        extensions: new Dictionary<string, object?> { ["skus"] = skus });

    public static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult UnknownReservation(string orderId) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Unknown reservation",
        detail: $"No reservation is recorded for order {orderId}.");
}
