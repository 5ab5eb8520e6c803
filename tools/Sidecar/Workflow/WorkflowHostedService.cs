
namespace Sidecar.Workflow;

/// <summary>Loads and resumes the persisted workflow instances once the sidecar is serving.</summary>
internal sealed class WorkflowHostedService(WorkflowEngine engine) : BackgroundService
{
    // The engine is a DI singleton: the container disposes it (and its timers) after the host stops.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => engine.StartAsync(stoppingToken);
}
