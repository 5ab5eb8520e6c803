using Microsoft.Extensions.DependencyInjection.Extensions;
using Sidecar.Faults;
using Sidecar.Resiliency;

namespace Sidecar.PubSub;

internal static class PubSubServiceCollectionExtensions
{
    public static IServiceCollection AddSidecarPubSub(this IServiceCollection services)
    {
        // Shared with invocation; TryAdd keeps one instance whichever feature registers first.
        services.TryAddSingleton<ResiliencyPolicies>();
        services.TryAddSingleton<FaultInjector>();
        services.AddSingleton<SubscriptionRunner>();
        return services;
    }
}
