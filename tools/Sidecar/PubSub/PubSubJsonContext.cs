using System.Text.Json.Serialization;

namespace Sidecar.PubSub;

[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(SortedDictionary<string, string>))]
internal sealed partial class PubSubJsonContext : JsonSerializerContext;
