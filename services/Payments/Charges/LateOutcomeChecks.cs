using System.Globalization;
using Microsoft.Extensions.Options;
using Payments.Domain;

namespace Payments.Charges;

/// <summary>
/// The checker of a timed-out payment's late outcome: a repeating Dapr job per order
/// (<c>POST /v1.0-alpha1/jobs/payment-timeout-&lt;orderId&gt;</c> with <c>schedule: "@every …"</c>). The Scheduler
/// keeps it durably, so it keeps firing across restarts, and delivers it to one replica at <c>POST /job/{name}</c>
/// (<see cref="LateOutcomeJobApi"/>), which deletes it once the payment is settled. Called over the sidecar's HTTP
/// API because no Dapr.Jobs package resolves on our mirror, as orders does for its review deadlines.
/// </summary>
public sealed class LateOutcomeChecks(HttpClient sidecar, IOptions<PaymentsOptions> options)
{
    public const string JobPrefix = "payment-timeout-";

    public static string JobName(string orderId) => JobPrefix + orderId;

    /// <summary>The order id a job name stands for, or null for a job that is not a late-outcome check.</summary>
    public static string? OrderIdOf(string jobName) =>
        jobName.StartsWith(JobPrefix, StringComparison.Ordinal) && Identifiers.IsValid(jobName[JobPrefix.Length..])
            ? jobName[JobPrefix.Length..]
            : null;

    /// <summary>
    /// Schedules the check of the order's payment. Runs before TimedOut is committed, so every timed-out payment
    /// has its checker; a retried handler finds the first attempt's job and keeps it (no <c>overwrite</c>: one
    /// checker per payment is enough). Any other failure throws: the payment stays Pending and the delivery is retried.
    /// </summary>
    public async Task ScheduleAsync(string orderId, CancellationToken cancellationToken)
    {
        var job = new
        {
            // Go duration in whole seconds, as robfig/cron's @every counts them.
            schedule = "@every " + ((long)options.Value.LateOutcomeCheckInterval.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s",
            data = new { orderId },
        };
        using var response = await sidecar.PostAsJsonAsync($"/v1.0-alpha1/jobs/{JobName(orderId)}", job, cancellationToken);
        if (!response.IsSuccessStatusCode && !await ExistsAsync(orderId, cancellationToken))
        {
            throw new HttpRequestException(
                $"scheduling the late-outcome check of order {orderId} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}",
                inner: null,
                response.StatusCode);
        }
    }

    /// <summary>
    /// Ends the check of a settled payment. A failure is only logged by the caller's caller: the job fires again,
    /// finds the payment settled and deletes it then.
    /// </summary>
    public async Task<bool> TryDeleteAsync(string orderId, CancellationToken cancellationToken)
    {
        using var response = await sidecar.DeleteAsync(new Uri($"/v1.0-alpha1/jobs/{JobName(orderId)}", UriKind.Relative), cancellationToken);
        return response.IsSuccessStatusCode || !await ExistsAsync(orderId, cancellationToken);
    }

    private async Task<bool> ExistsAsync(string orderId, CancellationToken cancellationToken)
    {
        using var response = await sidecar.GetAsync(new Uri($"/v1.0-alpha1/jobs/{JobName(orderId)}", UriKind.Relative), cancellationToken);
        return response.IsSuccessStatusCode;
    }
}
