using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using ServiceDefaults;

namespace Operations.DeadLetters;

/// <summary>
/// Dead letters: kept as they arrive on the dead-letter topics (the subscriptions are declarative,
/// components/operations-subscriptions.yaml), listed and read for inspection, and replayed on request.
/// </summary>
public static partial class DeadLettersApi
{
    public static RouteGroupBuilder MapDeadLettersApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/dead-letters").WithTags("Dead letters");
        group.MapGet("/", ListDeadLetters).WithName(nameof(ListDeadLetters));
        group.MapGet("/{id}", GetDeadLetter).WithName(nameof(GetDeadLetter)).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id}/replay", ReplayDeadLetter).WithName(nameof(ReplayDeadLetter))
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        // Deliveries from the sidecar, not part of the API. Without the 64 KiB limit of the API: an event too large for
        // its consumers is exactly one that gets here, and a refused delivery would be retried without end.
        group.MapPost("/arrivals/{deadLetterTopic}", KeepArrival).ExcludeFromDescription().WithMetadata(new DisableRequestSizeLimitAttribute());
        return group;
    }

    internal static async Task<Results<Ok<TopicStatus>, ValidationProblem>> KeepArrival(
        string deadLetterTopic, HttpRequest request, DeadLetterStore store, CancellationToken cancellationToken)
    {
        if (!DaprNames.DeadLetterTopics.Contains(deadLetterTopic))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["deadLetterTopic"] = [$"'{deadLetterTopic}' is not a dead-letter topic of the platform."] });
        }

        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, cancellationToken);
        // A store failure throws: answered 5xx, the delivery is retried (resiliency.yaml), nothing is acknowledged unkept.
        await store.KeepAsync(deadLetterTopic, body.GetBuffer().AsMemory(0, (int)body.Length), cancellationToken);
        return TypedResults.Ok(TopicStatus.Success);
    }

    internal static async Task<Results<Ok<DeadLetterPage>, ValidationProblem>> ListDeadLetters(
        DeadLetterStore store, IOptions<OperationsOptions> options, string? deadLetterTopic, int? limit, CancellationToken cancellationToken)
    {
        if (deadLetterTopic is not null && InvalidTopic(deadLetterTopic) is { } invalid)
        {
            return invalid;
        }

        var maxPageSize = options.Value.MaxPageSize;
        if (limit is < 1 || limit > maxPageSize)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = [$"'limit' must be between 1 and {maxPageSize}."] });
        }

        return TypedResults.Ok(await store.ListAsync(deadLetterTopic, limit ?? maxPageSize, cancellationToken));
    }

    internal static async Task<Results<Ok<DeadLetter>, ProblemHttpResult>> GetDeadLetter(string id, DeadLetterStore store, CancellationToken cancellationToken) =>
        IsId(id) && await store.GetAsync(id, cancellationToken) is { } deadLetter ? TypedResults.Ok(deadLetter) : NotFound(id);

    /// <summary>
    /// Publishes the event again, as the same CloudEvent. Repeating a replay is safe: consumers recognise the event
    /// id, so only one that has not applied it acts on it.
    /// </summary>
    internal static async Task<Results<Ok<DeadLetterSummary>, ProblemHttpResult>> ReplayDeadLetter(string id, DeadLetterStore store, CancellationToken cancellationToken)
    {
        if (!IsId(id))
        {
            return NotFound(id);
        }

        try
        {
            return await store.ReplayAsync(id, cancellationToken) is { } replayed ? TypedResults.Ok(replayed.Summary()) : NotFound(id);
        }
        catch (NotReplayableException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Dead letter not replayable", detail: ex.Message);
        }
    }

    private static bool IsId(string id) => IdPattern().IsMatch(id);

    private static ValidationProblem? InvalidTopic(string topic) => TopicPattern().IsMatch(topic)
        ? null
        : TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["deadLetterTopic"] = ["'deadLetterTopic' must be a topic name: lower-case letters, digits and '-', at most 100."] });

    private static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Dead letter not found", detail: $"No dead letter has id '{id}'.");

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex IdPattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,99}$")]
    private static partial Regex TopicPattern();
}
