using System.Globalization;

namespace Orders.Ordering;

/// <summary>
/// The deadline of a review as a one-shot Dapr job (<c>POST /v1.0-alpha1/jobs/{name}</c> with <c>dueTime</c>): the
/// Scheduler keeps it durably, so it fires even if orders restarts meanwhile, and delivers it to one replica at
/// <c>POST /job/{name}</c> (<see cref="ReviewDeadlineJobApi"/>). Called over the sidecar's HTTP API because no
/// Dapr.Jobs package resolves on our mirror; it is the same call a Dapr user would make.
/// </summary>
public sealed class ReviewDeadlines(HttpClient sidecar)
{
    public const string JobPrefix = "order-review-";

    public static string JobName(string orderId) => JobPrefix + orderId;

    /// <summary>The order id a job name stands for, or null for a job that is not a review deadline.</summary>
    public static string? OrderIdOf(string jobName) =>
        jobName.StartsWith(JobPrefix, StringComparison.Ordinal) && Guid.TryParseExact(jobName[JobPrefix.Length..], "D", out _)
            ? jobName[JobPrefix.Length..]
            : null;

    /// <summary>
    /// Schedules the expiry of the order's review. A placement that takes over a crashed claim calls it again and finds
    /// the first attempt's job, which is kept (no <c>overwrite</c>: the first deadline stands). Any other failure throws:
    /// the order must not be placed without its deadline.
    /// </summary>
    public async Task ScheduleAsync(string orderId, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var job = new
        {
            dueTime = deadline.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
            data = new { orderId },
            // The default policy (3 retries, 1 s apart) gives up within seconds when the store is down; an expiry
            // must not be lost, and the handler is idempotent, so keep trying for an hour. Spelt as daprd's Jobs API
            // reference documents the HTTP body (snake_case).
            failure_policy = new { constant = new { interval = "5s", max_retries = 720 } },
        };
        using var response = await sidecar.PostAsJsonAsync($"/v1.0-alpha1/jobs/{JobName(orderId)}", job, cancellationToken);
        if (!response.IsSuccessStatusCode && !await ExistsAsync(orderId, cancellationToken))
        {
            throw new HttpRequestException(
                $"scheduling the review deadline of order {orderId} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}",
                inner: null,
                response.StatusCode);
        }
    }

    private async Task<bool> ExistsAsync(string orderId, CancellationToken cancellationToken)
    {
        using var response = await sidecar.GetAsync(new Uri($"/v1.0-alpha1/jobs/{JobName(orderId)}", UriKind.Relative), cancellationToken);
        return response.IsSuccessStatusCode;
    }
}
