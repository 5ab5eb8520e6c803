using System.Text.Json;

namespace Orders;

/// <summary>JSON of state values written as raw bytes (transactions): the DaprClient's own defaults (Web), so they read back like SaveState values.</summary>
internal static class StateJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);
}
