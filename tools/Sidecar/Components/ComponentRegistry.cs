using Sidecar.Hosting;
using Sidecar.PubSub;
using Sidecar.Resources;
using Sidecar.State;

namespace Sidecar.Components;

/// <summary>A loaded state store with the daprd-level settings that surround it.</summary>
public sealed record StateStoreComponent(ComponentResource Resource, IStateStore Store, StateKeys Keys)
{
    public string Name => Resource.Name;

    /// <summary>Outbox is on only when both required keys are set (exact case, as the runtime reads them).</summary>
    public bool OutboxEnabled =>
        !string.IsNullOrEmpty(Resource.Metadata.GetExact("outboxPublishPubsub")) &&
        !string.IsNullOrEmpty(Resource.Metadata.GetExact("outboxPublishTopic"));

    public bool IsActorStateStore => Resource.Metadata.GetBool("actorStateStore");
}

public sealed record PubSubComponent(ComponentResource Resource, IPubSubBroker Broker)
{
    public string Name => Resource.Name;
}

/// <summary>The components this app may use: those whose scopes include its app id.</summary>
public sealed class ComponentRegistry : IAsyncDisposable
{
    private ComponentRegistry(
        IReadOnlyDictionary<string, StateStoreComponent> stateStores,
        IReadOnlyDictionary<string, PubSubComponent> pubSubs,
        IReadOnlyList<ComponentResource> others)
    {
        StateStores = stateStores;
        PubSubs = pubSubs;
        Others = others;
    }

    public IReadOnlyDictionary<string, StateStoreComponent> StateStores { get; }

    public IReadOnlyDictionary<string, PubSubComponent> PubSubs { get; }

    /// <summary>Bindings and secret stores: loaded, listed in metadata.</summary>
    public IReadOnlyList<ComponentResource> Others { get; }

    public IEnumerable<ComponentResource> All =>
        StateStores.Values.Select(s => s.Resource).Concat(PubSubs.Values.Select(p => p.Resource)).Concat(Others);

    /// <summary>Creates and initialises every component; a failure stops start-up like daprd's.</summary>
    public static async Task<ComponentRegistry> CreateAsync(ResourceSet resources, SidecarOptions options, CancellationToken cancellationToken)
    {
        var mine = resources.Components.Where(c => c.AppliesTo(options.AppId)).ToList();
        var stateStores = new Dictionary<string, StateStoreComponent>(StringComparer.Ordinal);
        var pubSubs = new Dictionary<string, PubSubComponent>(StringComparer.Ordinal);
        var others = new List<ComponentResource>();
        var registry = new ComponentRegistry(stateStores, pubSubs, others);
        try
        {
            foreach (var component in mine)
            {
                if (component.IsStateStore)
                {
                    var store = StateStoreFactory.Create(component, options);
                    stateStores[component.Name] = new StateStoreComponent(
                        component, store, new StateKeys(component.Metadata.Get("keyPrefix"), options.AppId, component.Name, options.Namespace));
                }
                else if (component.IsPubSub)
                {
                    pubSubs[component.Name] = new PubSubComponent(component, PubSubFactory.Create(component, options));
                }
                else
                {
                    others.Add(component);
                }
            }

            CheckCrossReferences(stateStores.Values, pubSubs);
            foreach (var store in stateStores.Values)
            {
                await InitAsync(store.Resource, () => store.Store.InitAsync(cancellationToken));
            }

            foreach (var pubSub in pubSubs.Values)
            {
                await InitAsync(pubSub.Resource, () => pubSub.Broker.InitAsync(cancellationToken));
            }

            return registry;
        }
        catch
        {
            await registry.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var store in StateStores.Values)
        {
            await store.Store.DisposeAsync();
        }

        foreach (var pubSub in PubSubs.Values)
        {
            await pubSub.Broker.DisposeAsync();
        }
    }

    private static async Task InitAsync(ComponentResource component, Func<Task> init)
    {
        try
        {
            await init();
        }
        catch (Exception ex) when (ex is not ResourceException and not OperationCanceledException)
        {
            throw new ResourceException(component.SourceFile, $"component '{component.Name}'", $"init failed: {ex.Message}");
        }
    }

    private static void CheckCrossReferences(IEnumerable<StateStoreComponent> stateStores, Dictionary<string, PubSubComponent> pubSubs)
    {
        var actorStores = stateStores.Where(s => s.IsActorStateStore).ToList();
        if (actorStores.Count > 1)
        {
            throw new ResourceException(actorStores[1].Resource.SourceFile, "spec.metadata.actorStateStore",
                $"only one state store may be the actor state store (also set on '{actorStores[0].Name}')");
        }

        foreach (var store in stateStores.Where(s => s.OutboxEnabled))
        {
            foreach (var key in new[] { "outboxPublishPubsub", "outboxPubsub" })
            {
                if (store.Resource.Metadata.GetExact(key) is { Length: > 0 } pubsub && !pubSubs.ContainsKey(pubsub))
                {
                    throw new ResourceException(store.Resource.SourceFile, $"spec.metadata.{key}", $"pub/sub component '{pubsub}' is not defined for this app");
                }
            }
        }
    }
}
