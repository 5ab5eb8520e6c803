namespace Sidecar.PubSub;

/// <summary>Discovers the app's subscriptions and runs them against the brokers (contract §4.3–4.7).</summary>
public sealed class SubscriptionRunner
{
    public Task StartAsync(CancellationToken stoppingToken) => Task.CompletedTask;
}
