namespace Gateway.Dependencies;

/// <summary>
/// A dependency's answer relayed to our caller as it came: status, body, content type (problem details stay
/// problem details) and the headers that carry meaning for the caller (Location, ETag, Idempotency-Replayed).
/// </summary>
public sealed class ForwardedResult : IResult, IStatusCodeHttpResult, IContentTypeHttpResult
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotency-Replayed";

    private static readonly string[] RelayedHeaders = ["ETag", ReplayedHeader];

    private ForwardedResult(int statusCode, string? contentType, byte[] body, IReadOnlyDictionary<string, string> headers)
    {
        StatusCode = statusCode;
        ContentType = contentType;
        Body = body;
        Headers = headers;
    }

    public int StatusCode { get; }

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    public string? ContentType { get; }

    public byte[] Body { get; }

    public IReadOnlyDictionary<string, string> Headers { get; }

    internal static async Task<ForwardedResult> FromAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in RelayedHeaders)
        {
            if (response.Headers.TryGetValues(name, out var values))
            {
                headers[name] = string.Join(", ", values);
            }
        }

        if (response.Headers.Location is { } location)
        {
            headers["Location"] = PublicLocation(location);
        }

        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return new ForwardedResult((int)response.StatusCode, response.Content.Headers.ContentType?.ToString(), body, headers);
    }

    /// <summary>Orders answers <c>/orders/{id}</c>; our callers read the order at <c>/api/orders/{id}</c>.</summary>
    private static string PublicLocation(Uri location)
    {
        var text = location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString;
        return text.StartsWith("/orders/", StringComparison.Ordinal) ? "/api" + text : text;
    }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCode;
        foreach (var (name, value) in Headers)
        {
            response.Headers[name] = value;
        }

        if (ContentType is not null)
        {
            response.ContentType = ContentType;
        }

        if (Body.Length > 0)
        {
            response.ContentLength = Body.Length;
            await response.Body.WriteAsync(Body, httpContext.RequestAborted);
        }
    }
}
