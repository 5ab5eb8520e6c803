namespace Catalog.Products;

/// <summary>HTTP entity tags over the store's ETag (quoted, strong).</summary>
internal static class ETags
{
    public static string Format(string storeETag) => $"\"{storeETag}\"";

    /// <summary>
    /// RFC 9110 If-Match: "*" matches any stored version; otherwise one of the listed strong tags must equal the
    /// stored ETag (weak tags never match). An unquoted value is accepted as the tag itself.
    /// </summary>
    public static bool Matches(string ifMatch, string storeETag) =>
        ifMatch.Trim() == "*" ||
        ifMatch.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(tag => !tag.StartsWith("W/", StringComparison.Ordinal))
            .Any(tag => tag.Trim('"') == storeETag);
}
