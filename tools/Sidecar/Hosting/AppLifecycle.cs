using Sidecar.Invocation;
using Sidecar.PubSub;

namespace Sidecar.Hosting;

/// <summary>
/// daprd's start-up handshake with the app (contract §8): wait for the app port, probe the input bindings, read
/// /dapr/subscribe once, start the subscriptions and the job triggers, then report ready and announce this sidecar to the others of the run.
/// </summary>
internal sealed class AppLifecycle(
    AppChannel appChannel,
    SubscriptionRunner subscriptions,
    Outbox.OutboxRelay outboxRelay,
    Bindings.CronBindings cronBindings,
    Jobs.JobScheduler jobScheduler,
    NameRegistry names,
    SidecarReadiness readiness,
    SidecarOptions options,
    ILogger<AppLifecycle> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            names.Register();
            await appChannel.WaitForAppAsync(stoppingToken);
            Log.AppReachable(logger, options.AppId, appChannel.HasApp ? appChannel.BaseAddress.ToString() : "(no app port)");
            // daprd probes OPTIONS /<binding> before it reads /dapr/subscribe.
            await cronBindings.StartAsync(stoppingToken);
            await subscriptions.StartAsync(stoppingToken);
            await outboxRelay.StartAsync(stoppingToken);
            await jobScheduler.StartAsync(stoppingToken);
            readiness.MarkAppReady();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down before the app came up.
        }
        catch (Exception ex)
        {
            // The host stops on it; recorded so that the process exits non-zero and the runner can say why.
            readiness.MarkFailed(ex);
            throw;
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        names.Unregister();
        await base.StopAsync(cancellationToken);
    }
}
