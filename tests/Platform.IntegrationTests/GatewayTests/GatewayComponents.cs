using System.Text.Json;
using System.Text.Json.Serialization;

namespace Platform.IntegrationTests.GatewayTests;

/// <summary>The JSON the gateway tests read.</summary>
public static class GatewayComponents
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };
}
