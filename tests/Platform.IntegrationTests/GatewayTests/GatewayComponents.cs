using System.Text.Json;
using System.Text.Json.Serialization;
using Platform.IntegrationTests.Infrastructure;

namespace Platform.IntegrationTests.GatewayTests;

/// <summary>What the gateway tests change in components/ (component YAML only) and the JSON they read.</summary>
public static class GatewayComponents
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>
    /// The change proposed for components/resiliency.yaml: platform-resiliency is scoped to every app but the
    /// gateway, whose sidecar then has only gateway-resiliency (timeouts, no retries; the client retries).
    /// </summary>
    public static IReadOnlyDictionary<string, string?> Overrides { get; } = new Dictionary<string, string?>
    {
        ["resiliency.yaml"] = File.ReadAllText(Path.Combine(RepositoryPaths.Components, "resiliency.yaml")).TrimEnd()
            + "\nscopes:\n- catalog\n- orders\n- payments\n- inventory\n- order-query\n- order-saga\n- operations\n",
    };
}
