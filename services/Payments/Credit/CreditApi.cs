using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Payments.Domain;
using ServiceDefaults;

namespace Payments.Credit;

/// <summary>Customer credit points: award and revoke per order, both idempotent and compensable.</summary>
public static class CreditApi
{
    private const string LogCategory = "Payments.Credit";

    public static RouteGroupBuilder MapCreditApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/customers/{customerId}/credit").WithTags("Credit");
        group.MapGet("/", GetAsync)
            .WithName("GetCredit")
            .WithSummary("A customer's balance and the orders it has processed, with its ETag.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/awards", AwardAsync)
            .WithName("AwardCredit")
            .WithSummary("Award points for an order, once per order; not applied when the order was revoked first.")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapPost("/revocations", RevokeAsync)
            .WithName("RevokeCredit")
            .WithSummary("Take back exactly what an order's award gave, once; recorded even before the award arrives.")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        return group;
    }

    public static async Task<Results<Ok<CreditAccountResponse>, ProblemHttpResult, ValidationProblem>> GetAsync(
        string customerId,
        CreditStore store,
        HttpResponse response,
        CancellationToken cancellationToken)
    {
        if (Http.InvalidId(nameof(customerId), customerId) is { } invalid)
        {
            return invalid;
        }

        var (account, etag) = await store.GetAsync(customerId, cancellationToken);
        if (account is null)
        {
            return Http.NotFound("Credit account not found", $"Customer '{customerId}' has no credit account.");
        }

        response.Headers.ETag = Http.FormatETag(etag);
        return TypedResults.Ok(account.ToResponse());
    }

    public static Task<Results<Ok<CreditOperationResponse>, ProblemHttpResult, ValidationProblem>> AwardAsync(
        string customerId,
        AwardCreditRequest request,
        CreditStore store,
        TimeProvider time,
        IOptions<PaymentsOptions> options,
        ILoggerFactory loggers,
        CancellationToken cancellationToken) =>
        ChangeAsync(customerId, request.OrderId, (account, now, policy) => account.Award(request.OrderId, request.Points, now, policy), store, time, options.Value, loggers, cancellationToken);

    public static Task<Results<Ok<CreditOperationResponse>, ProblemHttpResult, ValidationProblem>> RevokeAsync(
        string customerId,
        RevokeCreditRequest request,
        CreditStore store,
        TimeProvider time,
        IOptions<PaymentsOptions> options,
        ILoggerFactory loggers,
        CancellationToken cancellationToken) =>
        ChangeAsync(customerId, request.OrderId, (account, now, policy) => account.Revoke(request.OrderId, now, policy), store, time, options.Value, loggers, cancellationToken);

    /// <summary>Read the account with its ETag, decide, commit the change with its event; re-read on a conflict.</summary>
    private static async Task<Results<Ok<CreditOperationResponse>, ProblemHttpResult, ValidationProblem>> ChangeAsync(
        string customerId,
        string orderId,
        Func<CreditAccount, DateTimeOffset, CreditLedgerPolicy, CreditDecision> decide,
        CreditStore store,
        TimeProvider time,
        PaymentsOptions options,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        if (Http.InvalidId(nameof(customerId), customerId) is { } invalid)
        {
            return invalid;
        }

        var logger = loggers.CreateLogger(LogCategory);
        var policy = options.ToCreditLedgerPolicy();
        for (var attempt = 1; attempt <= options.MaxConcurrencyAttempts; attempt++)
        {
            var (account, etag) = await store.GetAsync(customerId, cancellationToken);
            var now = time.GetUtcNow();
            switch (decide(account ?? CreditAccount.Open(customerId), now, policy))
            {
                case CreditDecision.Rejected rejected:
                    return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Different award for the same order", detail: rejected.Reason);
                case CreditDecision.Unchanged unchanged:
                    logger.CreditUnchanged(customerId, orderId, unchanged.Entry.Status);
                    return TypedResults.Ok(unchanged.Account.ToResponse(orderId, unchanged.Entry));
                case CreditDecision.Applied applied:
                    var committed = applied.Change == CreditChange.Awarded
                        ? await store.TryRecordAsync(applied.Account, etag, applied.ToAwarded(now), cancellationToken)
                        : await store.TryRecordAsync(applied.Account, etag, applied.ToRevoked(now), cancellationToken);
                    if (committed)
                    {
                        if (applied.Entry.Status == CreditEntryStatus.RevokedBeforeAward)
                        {
                            logger.RevokedBeforeAward(customerId, orderId);
                        }
                        else
                        {
                            logger.CreditChanged(customerId, applied.Change, applied.Points, orderId, applied.Account.Balance);
                        }

                        return TypedResults.Ok(applied.Account.ToResponse(orderId, applied.Entry));
                    }

                    logger.ConcurrentChange("Credit account", customerId, attempt);
                    await Http.BackoffAsync(attempt, time, cancellationToken);
                    break;
            }
        }

        throw new ConcurrencyConflictException($"The credit account of customer '{customerId}' kept changing; retry.");
    }
}
