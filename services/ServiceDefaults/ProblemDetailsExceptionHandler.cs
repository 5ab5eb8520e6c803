using Dapr;
using Grpc.Core;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace ServiceDefaults;

/// <summary>
/// The one place where exceptions become RFC 9457 responses. Expected failures are returned by the handlers
/// as typed results; what reaches this handler is a concurrency conflict that outlived its retries, a request
/// the server refused to read, or the sidecar being unavailable.
/// </summary>
internal sealed partial class ProblemDetailsExceptionHandler(IProblemDetailsService problemDetails, ILogger<ProblemDetailsExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            ConcurrencyConflictException conflict => new ProblemDetails
            {
                Status = StatusCodes.Status409Conflict,
                Title = "Concurrent update",
                Detail = conflict.Message,
            },
            BadHttpRequestException badRequest => new ProblemDetails
            {
                Status = badRequest.StatusCode,
                Title = badRequest.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Request too large" : "Bad request",
                Detail = badRequest.Message,
            },
            DaprException { InnerException: RpcException { StatusCode: StatusCode.Unavailable or StatusCode.DeadlineExceeded } } => new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Dependency unavailable",
                Detail = "The Dapr sidecar or the store behind it did not answer; the request can be retried.",
            },
            _ => null,
        };
        if (problem is null)
        {
            return false;
        }

        LogMapped(logger, exception.GetType().Name, problem.Status ?? 500, exception);
        httpContext.Response.StatusCode = problem.Status ?? StatusCodes.Status500InternalServerError;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request failed with {ExceptionType}, answered {StatusCode}")]
    private static partial void LogMapped(ILogger logger, string exceptionType, int statusCode, Exception exception);
}
