using Microsoft.Extensions.DependencyInjection;
using Platform.Testing;
using Sidecar.Hosting;

namespace Sidecar.Tests.PubSub;

/// <summary>Shared set-up of the pub/sub tests: broker YAML by name, and a sidecar that has finished subscribing.</summary>
internal static class PubSubTestBed
{
    public const string InMemory = "in-memory";
    public const string Redis = "redis";
    public const string PubSubName = "pubsub";

    public static TimeSpan Patience { get; } = TimeSpan.FromSeconds(20);

    public static string Broker(string broker, BackendsFixture backends, params (string Name, string Value)[] extra) => broker switch
    {
        Redis => ComponentYaml.RedisPubSub(PubSubName, backends.Redis.Address, extra),
        InMemory => ComponentYaml.InMemoryPubSub(PubSubName, extra),
        _ => throw new ArgumentOutOfRangeException(nameof(broker), broker, "unknown broker"),
    };

    /// <summary>Fresh names keep tests apart on the shared Redis.</summary>
    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>Starts the sidecar and waits until it has read /dapr/subscribe and subscribed (daprd's app-ready point).</summary>
    public static async Task<TestSidecar> StartSidecarAsync(string appId, string resourcesYaml, int appPort, Func<SidecarOptions, SidecarOptions>? configure = null, CapturedLogs? logs = null)
    {
        var sidecar = await TestSidecar.StartAsync(appId, resourcesYaml, appPort, configure, logs: logs);
        try
        {
            await sidecar.Host.Services.GetRequiredService<SidecarReadiness>().WhenAppReady.WaitAsync(Patience, TestContext.Current.CancellationToken);
            return sidecar;
        }
        catch
        {
            await sidecar.DisposeAsync();
            throw;
        }
    }

    public static string ResiliencyYaml(string pubsub, string retryYaml) => $"""
        apiVersion: dapr.io/v1alpha1
        kind: Resiliency
        metadata:
          name: test-resiliency
        spec:
          policies:
            retries:
              deliveryRetry:
        {Indent(retryYaml, 8)}
          targets:
            components:
              {pubsub}:
                inbound:
                  retry: deliveryRetry
        ---

        """;

    private static string Indent(string text, int spaces) =>
        string.Join('\n', text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => new string(' ', spaces) + line.TrimEnd()));
}
