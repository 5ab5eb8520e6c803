using Dapr.Client;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ServiceDefaults;

/// <summary>
/// Ready only when the sidecar's components are loaded. It asks <c>/v1.0/healthz/outbound</c>, not
/// <c>/v1.0/healthz</c>: daprd's full health waits for the app, so an app probing it would wait for itself.
/// </summary>
internal sealed class DaprSidecarHealthCheck(DaprClient dapr) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await dapr.CheckOutboundHealthAsync(cancellationToken)
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("the Dapr sidecar is not ready");
}
