using Sidecar.Hosting;

namespace Sidecar.Workflow;

/// <summary>Loads and resumes the persisted workflow instances once the sidecar is serving.</summary>
internal sealed class WorkflowHostedService(WorkflowEngine engine, SidecarReadiness readiness) : BackgroundService
{
    // The engine is a DI singleton: the container disposes it (and its timers) after the host stops.
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await engine.StartAsync(stoppingToken);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            // The host stops on it; recorded so that the process exits non-zero and the runner can say why.
            readiness.MarkFailed(ex);
            throw;
        }
    }
}
