using YamlDotNet.RepresentationModel;

namespace Sidecar.Resources;

/// <summary>Small helpers to read a YAML document the way daprd's decoder does, with file/field errors.</summary>
internal sealed record YamlNode(YamlMappingNode Node, string File, string Path)
{
    public YamlNode? Mapping(string key)
    {
        var child = Child(key);
        return child switch
        {
            null => null,
            YamlMappingNode map => new YamlNode(map, File, Join(key)),
            YamlScalarNode { Value: null or "" or "~" or "null" } => null,
            _ => throw new ResourceException(File, Join(key), "must be a mapping"),
        };
    }

    public IEnumerable<YamlNode> MappingSequence(string key)
    {
        var child = Child(key);
        if (child is null or YamlScalarNode { Value: null or "" or "~" or "null" })
        {
            yield break;
        }

        if (child is not YamlSequenceNode sequence)
        {
            throw new ResourceException(File, Join(key), "must be a list");
        }

        var index = 0;
        foreach (var item in sequence)
        {
            if (item is not YamlMappingNode map)
            {
                throw new ResourceException(File, $"{Join(key)}[{index}]", "must be a mapping");
            }

            yield return new YamlNode(map, File, $"{Join(key)}[{index}]");
            index++;
        }
    }

    public IReadOnlyList<string> Strings(string key)
    {
        var child = Child(key);
        if (child is null or YamlScalarNode { Value: null or "" or "~" or "null" })
        {
            return [];
        }

        if (child is not YamlSequenceNode sequence)
        {
            throw new ResourceException(File, Join(key), "must be a list of strings");
        }

        return sequence.Select((item, i) => item is YamlScalarNode scalar && scalar.Value is not null
                ? scalar.Value
                : throw new ResourceException(File, $"{Join(key)}[{i}]", "must be a string"))
            .ToList();
    }

    public string? String(string key)
    {
        var child = Child(key);
        return child switch
        {
            null => null,
            YamlScalarNode scalar => scalar.Value is "~" or "null" && scalar.Style == YamlDotNet.Core.ScalarStyle.Plain ? null : scalar.Value,
            _ => throw new ResourceException(File, Join(key), "must be a scalar value"),
        };
    }

    public string RequiredString(string key) =>
        String(key) is { Length: > 0 } value ? value : throw new ResourceException(File, Join(key), "is required");

    /// <summary>A map of scalars (e.g. subscription metadata); values are kept as text.</summary>
    public IReadOnlyDictionary<string, string> StringMap(string key)
    {
        var map = Mapping(key);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (map is null)
        {
            return result;
        }

        foreach (var (k, v) in map.Node.Children)
        {
            var name = ((YamlScalarNode)k).Value ?? "";
            result[name] = v is YamlScalarNode scalar
                ? scalar.Value ?? ""
                : throw new ResourceException(File, $"{map.Path}.{name}", "must be a scalar value");
        }

        return result;
    }

    public IEnumerable<(string Key, YamlNode Value)> Entries()
    {
        foreach (var (k, v) in Node.Children)
        {
            var name = ((YamlScalarNode)k).Value ?? "";
            if (v is not YamlMappingNode map)
            {
                throw new ResourceException(File, Join(name), "must be a mapping");
            }

            yield return (name, new YamlNode(map, File, Join(name)));
        }
    }

    public string Join(string key) => Path.Length == 0 ? key : $"{Path}.{key}";


    private global::YamlDotNet.RepresentationModel.YamlNode? Child(string key) =>
        Node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;
}
