
namespace Sidecar.Workflow;

/// <summary>Loads and resumes the persisted workflow instances once the sidecar is serving.</summary>
internal sealed class WorkflowHostedService(WorkflowEngine engine) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => engine.StartAsync(stoppingToken);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await engine.DisposeAsync();
    }
}
