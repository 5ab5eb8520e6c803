using Microsoft.AspNetCore.Http.HttpResults;
using Payments.Domain;

namespace Payments;

/// <summary>Small HTTP helpers the endpoint groups share: ETag headers, id checks, problem shapes, conflict backoff.</summary>
internal static class Http
{
    public static string FormatETag(string etag) => $"\"{etag}\"";

    /// <summary>RFC 9110 If-Match: "*" or a list of (possibly weak) entity tags; true when one names the current ETag.</summary>
    public static bool IfMatchSatisfied(string ifMatch, string currentETag) =>
        ifMatch.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Any(tag =>
            tag == "*" || (currentETag.Length > 0 && (tag.StartsWith("W/", StringComparison.Ordinal) ? tag[2..] : tag).Trim('"') == currentETag));

    public static ValidationProblem? InvalidId(string name, string value) => Identifiers.IsValid(value)
        ? null
        : TypedResults.ValidationProblem(new Dictionary<string, string[]> { [name] = [$"'{name}' must match {Identifiers.Pattern}."] });

    /// <summary>404 as application/problem+json (NotFound&lt;ProblemDetails&gt; would be written as plain application/json).</summary>
    public static ProblemHttpResult NotFound(string title, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: title, detail: detail);

    /// <summary>A short random pause before re-reading an aggregate that changed under us, so racing writers spread out.</summary>
    public static Task BackoffAsync(int attempt, TimeProvider time, CancellationToken cancellationToken) =>
        Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 10 * Math.Min(attempt, 10))), time, cancellationToken);
}
