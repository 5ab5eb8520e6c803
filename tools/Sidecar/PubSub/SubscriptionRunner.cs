using Sidecar.Components;
using Sidecar.Faults;
using Sidecar.Hosting;
using Sidecar.PubSub.Routing;
using Sidecar.Resiliency;
using Sidecar.Resources;

namespace Sidecar.PubSub;

/// <summary>Discovers the app's subscriptions and runs them against the brokers (contract §4.3–4.7).</summary>
public sealed class SubscriptionRunner(
    AppChannel app,
    ComponentRegistry components,
    ResourceSet resources,
    SidecarOptions options,
    ResiliencyPolicies resiliency,
    FaultInjector faults,
    ILoggerFactory loggerFactory,
    ILogger<SubscriptionRunner> logger)
{
    /// <summary>The subscriptions running after <see cref="StartAsync"/>.</summary>
    public IReadOnlyList<ActiveSubscription> Active { get; private set; } = [];

    /// <summary>Called once, when the app port is reachable: /dapr/subscribe is read now and never again.</summary>
    public async Task StartAsync(CancellationToken stoppingToken)
    {
        foreach (var pubsub in components.PubSubs.Values)
        {
            (pubsub.Broker as IBrokerLogging)?.UseLogger(loggerFactory.CreateLogger($"Sidecar.PubSub.{pubsub.Resource.Type}"));
        }

        if (!app.HasApp)
        {
            // daprd without an app port delivers nothing.
            return;
        }

        var programmatic = await SubscriptionDiscovery.ReadProgrammaticAsync(app, options.AppId, logger, stoppingToken);
        var active = new List<ActiveSubscription>();
        foreach (var subscription in Merge(programmatic, resources.Subscriptions.Where(s => s.AppliesTo(options.AppId))))
        {
            if (Prepare(subscription) is not { } prepared)
            {
                continue;
            }

            var (compiled, pubsub) = prepared;
            var delivery = new SubscriptionDelivery(compiled, pubsub, app, resiliency.ForPubSubInbound(pubsub.Name), faults, logger, stoppingToken);
            await pubsub.Broker.SubscribeAsync(compiled.Topic, delivery.HandleAsync, stoppingToken);
            PubSubLog.Subscribed(logger, compiled.Topic, pubsub.Name, Describe(subscription));
            active.Add(compiled);
        }

        Active = active;
    }

    /// <summary>Programmatic subscriptions win over a declarative one for the same (pubsub, topic), as in daprd.</summary>
    private IEnumerable<SubscriptionResource> Merge(IEnumerable<SubscriptionResource> programmatic, IEnumerable<SubscriptionResource> declarative)
    {
        var seen = new HashSet<(string, string)>();
        foreach (var subscription in programmatic.Concat(declarative))
        {
            if (seen.Add((subscription.PubsubName, subscription.Topic)))
            {
                yield return subscription;
            }
            else
            {
                PubSubLog.SubscriptionIgnored(logger, subscription.Topic, $"duplicate subscription for pubsub {subscription.PubsubName} (from {subscription.Source})");
            }
        }
    }

    private (ActiveSubscription, PubSubComponent)? Prepare(SubscriptionResource subscription)
    {
        if (!components.PubSubs.TryGetValue(subscription.PubsubName, out var pubsub))
        {
            PubSubLog.SubscriptionIgnored(logger, subscription.Topic, $"pubsub {subscription.PubsubName} is not configured for this app");
            return null;
        }

        if (!TopicScopes.MaySubscribe(pubsub.Resource, options.AppId, subscription.Topic))
        {
            PubSubLog.SubscriptionIgnored(logger, subscription.Topic, $"app {options.AppId} may not subscribe to it on pubsub {pubsub.Name}");
            return null;
        }

        try
        {
            return (ActiveSubscription.Compile(subscription), pubsub);
        }
        catch (RouteExpressionException ex)
        {
            // Declarative rules were validated at start-up; this is a bad rule from /dapr/subscribe.
            PubSubLog.SubscriptionIgnored(logger, subscription.Topic, ex.Message);
            return null;
        }
    }

    private static string Describe(SubscriptionResource subscription) =>
        string.Join(", ", subscription.Rules.Select(r => $"{r.Match} -> {r.Path}").Append($"default -> {subscription.DefaultPath ?? "(none)"}"));
}
