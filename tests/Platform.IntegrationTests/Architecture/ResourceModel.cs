using YamlDotNet.RepresentationModel;
using Platform.IntegrationTests.Infrastructure;

namespace Platform.IntegrationTests.Architecture;

/// <summary>The names components/ and dapr.yaml declare: components with their scopes, topics, app ids.</summary>
public sealed class ResourceModel
{
    private ResourceModel(List<(string Name, string Type, IReadOnlyList<string> Scopes)> components, HashSet<string> topics, HashSet<string> appIds)
    {
        Components = components;
        Topics = topics;
        AppIds = appIds;
    }

    public IReadOnlyList<(string Name, string Type, IReadOnlyList<string> Scopes)> Components { get; }

    /// <summary>Outbox topics, subscribed topics and dead-letter topics.</summary>
    public IReadOnlySet<string> Topics { get; }

    /// <summary>App ids of dapr.yaml.</summary>
    public IReadOnlySet<string> AppIds { get; }

    public static ResourceModel Load()
    {
        var components = new List<(string, string, IReadOnlyList<string>)>();
        var topics = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(RepositoryPaths.Components, "*.yaml"))
        {
            var stream = new YamlStream();
            using (var reader = new StreamReader(file))
            {
                stream.Load(reader);
            }

            foreach (var document in stream.Documents)
            {
                if (document.RootNode is not YamlMappingNode root)
                {
                    continue;
                }

                var kind = Scalar(root, "kind");
                var spec = root.Children.TryGetValue("spec", out var s) ? s as YamlMappingNode : null;
                if (kind == "Component")
                {
                    var name = Scalar((YamlMappingNode)root["metadata"], "name")!;
                    var scopes = root.Children.TryGetValue("scopes", out var sc) && sc is YamlSequenceNode list
                        ? list.Children.Select(c => ((YamlScalarNode)c).Value!).ToList()
                        : [];
                    components.Add((name, Scalar(spec!, "type")!, scopes));
                    if (spec!.Children.TryGetValue("metadata", out var metadata) && metadata is YamlSequenceNode items)
                    {
                        foreach (var item in items.Children.OfType<YamlMappingNode>().Where(i => Scalar(i, "name") == "outboxPublishTopic"))
                        {
                            topics.Add(Scalar(item, "value")!);
                        }
                    }
                }
                else if (kind == "Subscription" && spec is not null)
                {
                    foreach (var key in new[] { "topic", "deadLetterTopic" })
                    {
                        if (Scalar(spec, key) is { } topic)
                        {
                            topics.Add(topic);
                        }
                    }
                }
            }
        }

        var run = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(RepositoryPaths.Root, "dapr.yaml")))
        {
            run.Load(reader);
        }

        var apps = ((YamlSequenceNode)((YamlMappingNode)run.Documents[0].RootNode)["apps"]).Children
            .Select(a => Scalar((YamlMappingNode)a, "appID")!)
            .ToHashSet(StringComparer.Ordinal);
        return new ResourceModel(components, topics, apps);
    }

    /// <summary>Components an app's sidecar loads: unscoped ones and those that name the app.</summary>
    public IEnumerable<string> ComponentsVisibleTo(string appId) =>
        Components.Where(c => c.Scopes.Count == 0 || c.Scopes.Contains(appId)).Select(c => c.Name);

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode scalar ? scalar.Value : null;
}
