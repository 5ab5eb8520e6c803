
namespace Sidecar.PubSub;

internal static class PubSubServiceCollectionExtensions
{
    public static IServiceCollection AddSidecarPubSub(this IServiceCollection services)
    {
        services.AddSingleton<SubscriptionRunner>();
        return services;
    }
}
