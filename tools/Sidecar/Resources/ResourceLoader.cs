using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Sidecar.Resources;

/// <summary>
/// Reads the resource YAML files daprd reads (every *.yaml / *.yml directly in each resources path):
/// Components, Subscriptions (v1alpha1 and v2alpha1), Resiliency and Configuration. Documents of other
/// kinds are skipped, as daprd does. Anything daprd would refuse stops loading with a
/// <see cref="ResourceException"/> naming the file and the field.
/// </summary>
public static class ResourceLoader
{
    public static ResourceSet Load(IEnumerable<string> resourcesPaths, string? configFile, string appId, Func<string, string?> environment)
    {
        var pendingComponents = new List<(YamlNode Doc, string File)>();
        var subscriptions = new List<SubscriptionResource>();
        var resiliencies = new List<ResiliencyResource>();
        var warnings = new List<string>();

        foreach (var file in EnumerateFiles(resourcesPaths))
        {
            foreach (var doc in ReadDocuments(file))
            {
                var apiVersion = doc.String("apiVersion");
                var kind = doc.String("kind");
                switch (kind)
                {
                    case "Component":
                        RequireApiVersion(doc, apiVersion, "dapr.io/v1alpha1");
                        pendingComponents.Add((doc, file));
                        break;
                    case "Subscription":
                        subscriptions.Add(ParseSubscription(doc, apiVersion));
                        break;
                    case "Resiliency":
                        RequireApiVersion(doc, apiVersion, "dapr.io/v1alpha1");
                        resiliencies.Add(ResiliencyParser.Parse(doc));
                        break;
                    case "HTTPEndpoint":
                        // daprd would route invocations of this name to an external URL; we cannot, so say so at start-up.
                        warnings.Add($"{file}: kind: HTTPEndpoint '{doc.Mapping("metadata")?.String("name")}' is not supported by this sidecar; invoking it will fail");
                        break;
                    default:
                        // daprd skips documents of kinds it does not load from the resources path.
                        break;
                }
            }
        }

        // daprd does not load a component scoped to other apps at all: its secrets are not resolved and
        // its name may repeat one of this app's components.
        var mine = pendingComponents.Where(p => AppliesTo(p.Doc, appId)).ToList();

        // Secret stores first: other components may take values from them through secretKeyRef.
        var components = new List<ComponentResource>();
        var secretStores = new Dictionary<string, ISecretSource>(StringComparer.Ordinal);
        foreach (var (doc, file) in mine.Where(p => IsSecretStoreType(p.Doc)))
        {
            var component = ParseComponent(doc, file, secretStores, environment, warnings);
            components.Add(component);
            secretStores[component.Name] = SecretSources.Create(component, environment);
        }

        foreach (var (doc, file) in mine.Where(p => !IsSecretStoreType(p.Doc)))
        {
            components.Add(ParseComponent(doc, file, secretStores, environment, warnings));
        }

        CheckAcrossComponents(components);
        var configuration = configFile is null ? null : LoadConfiguration(configFile);
        return new ResourceSet(
            components,
            subscriptions.Where(s => s.AppliesTo(appId)).ToList(),
            resiliencies.Where(r => r.Scopes.Count == 0 || r.Scopes.Contains(appId, StringComparer.Ordinal)).ToList(),
            configuration,
            warnings);
    }

    private static void CheckAcrossComponents(List<ComponentResource> components)
    {
        var duplicate = components.GroupBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            var second = duplicate.Skip(1).First();
            throw new ResourceException(second.SourceFile, "metadata.name", $"component '{duplicate.Key}' is defined twice (also in {duplicate.First().SourceFile})");
        }

        // daprd refuses a second actor state store ("detected duplicate actor state store").
        var actorStores = components.Where(c => c.IsStateStore && c.Metadata.GetBool("actorStateStore")).ToList();
        if (actorStores.Count > 1)
        {
            throw new ResourceException(actorStores[1].SourceFile, "spec.metadata.actorStateStore",
                $"only one state store may be the actor state store ('{actorStores[0].Name}' already is; '{actorStores[1].Name}' is a second)");
        }
    }

    private static bool AppliesTo(YamlNode doc, string appId)
    {
        var scopes = doc.Strings("scopes");
        return scopes.Count == 0 || scopes.Contains(appId, StringComparer.Ordinal);
    }

    private static IEnumerable<string> EnumerateFiles(IEnumerable<string> resourcesPaths)
    {
        foreach (var path in resourcesPaths)
        {
            if (File.Exists(path))
            {
                yield return Path.GetFullPath(path);
                continue;
            }

            if (!Directory.Exists(path))
            {
                throw new ResourceException(path, "--resources-path", "directory does not exist");
            }

            foreach (var file in Directory.EnumerateFiles(path)
                         .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
                         .Order(StringComparer.Ordinal))
            {
                yield return Path.GetFullPath(file);
            }
        }
    }

    private static List<YamlNode> ReadDocuments(string file)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(file);
        var parser = new Parser(reader);
        try
        {
            stream.Load(parser);
        }
        catch (YamlException ex)
        {
            throw new ResourceException(file, $"line {ex.Start.Line}", $"malformed YAML: {ex.Message}");
        }
        catch (InvalidOperationException ex)
        {
            // YamlDotNet's scanner throws this (without a position) on some broken input, e.g. an unclosed
            // flow sequence; the last event it parsed is the nearest line we can name.
            var line = parser.Current?.End.Line ?? 1;
            throw new ResourceException(file, $"line {line}", $"malformed YAML near this line: {ex.Message}");
        }

        var documents = new List<YamlNode>();
        foreach (var document in stream.Documents)
        {
            switch (document.RootNode)
            {
                case YamlMappingNode map:
                    documents.Add(new YamlNode(map, file, ""));
                    break;
                case YamlScalarNode { Value: null or "" }:
                    break;
                default:
                    throw new ResourceException(file, "(document)", "a resource document must be a mapping");
            }
        }

        return documents;
    }

    private static void RequireApiVersion(YamlNode doc, string? apiVersion, string expected)
    {
        if (apiVersion != expected)
        {
            throw new ResourceException(doc.File, "apiVersion", $"'{apiVersion}' is not supported for kind {doc.String("kind")}; expected {expected}");
        }
    }

    private static bool IsSecretStoreType(YamlNode doc) =>
        doc.Mapping("spec")?.String("type")?.StartsWith("secretstores.", StringComparison.OrdinalIgnoreCase) == true;

    private static ComponentResource ParseComponent(
        YamlNode doc, string file, IReadOnlyDictionary<string, ISecretSource> secretStores, Func<string, string?> environment, List<string> warnings)
    {
        var meta = doc.Mapping("metadata") ?? throw new ResourceException(file, "metadata", "is required");
        var name = meta.RequiredString("name");
        // The name is a path segment of the APIs (/v1.0/state/{name}) and part of state keys ("||" separates them).
        if (name is "." or ".." || name.Contains("||", StringComparison.Ordinal) || name.Any(ch => char.IsWhiteSpace(ch) || ch is '/' or '\\' or '?' or '#' or '%'))
        {
            throw new ResourceException(file, "metadata.name", $"'{name}' is not a valid component name (it must be a URL path segment without '||')");
        }

        var spec = doc.Mapping("spec") ?? throw new ResourceException(file, "spec", "is required");
        // daprd lowercases the type; an empty version runs v1 (also for state.postgresql, where v2 exists).
        var type = spec.RequiredString("type").ToLowerInvariant();
        var version = ComponentValidator.EffectiveVersion(spec.String("version") ?? "");
        var secretStoreName = doc.Mapping("auth")?.String("secretStore");

        var items = new List<KeyValuePair<string, string>>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var plainValueNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in spec.MappingSequence("metadata"))
        {
            var itemName = item.RequiredString("name");
            if (!seen.Add(itemName))
            {
                // daprd's decoder matches names ignoring case and fails on such duplicates.
                throw new ResourceException(file, item.Join("name"), $"metadata '{itemName}' is given twice (names are case-insensitive)");
            }

            items.Add(new(itemName, ResolveValue(item, secretStoreName, secretStores, environment)));
            if (item.Mapping("secretKeyRef") is null && item.String("envRef") is not { Length: > 0 })
            {
                plainValueNames.Add(itemName);
            }
        }

        var component = new ComponentResource(name, type, version, new ComponentMetadata(items), doc.Strings("scopes"), file);
        warnings.AddRange(ComponentValidator.Validate(component, plainValueNames));
        return component;
    }

    private static string ResolveValue(
        YamlNode item, string? secretStoreName, IReadOnlyDictionary<string, ISecretSource> secretStores, Func<string, string?> environment)
    {
        if (item.Mapping("secretKeyRef") is { } secretRef)
        {
            var secretName = secretRef.RequiredString("name");
            var key = secretRef.String("key") is { Length: > 0 } k ? k : secretName;
            if (string.IsNullOrEmpty(secretStoreName))
            {
                // Self-hosted daprd has no default secret store and would leave the value empty without a word.
                throw new ResourceException(item.File, secretRef.Path, "a secretKeyRef needs auth.secretStore naming the secret store");
            }

            if (!secretStores.TryGetValue(secretStoreName, out var store))
            {
                throw new ResourceException(item.File, secretRef.Path, $"secret store '{secretStoreName}' (auth.secretStore) is not defined for this app");
            }

            return store.Get(secretName, key)
                ?? throw new ResourceException(item.File, secretRef.Path, $"secret '{secretName}' (key '{key}') not found in secret store '{secretStoreName}'");
        }

        if (item.String("envRef") is { Length: > 0 } envName)
        {
            return environment(envName)
                ?? throw new ResourceException(item.File, item.Join("envRef"), $"environment variable '{envName}' is not set");
        }

        return item.String("value") ?? "";
    }

    private static SubscriptionResource ParseSubscription(YamlNode doc, string? apiVersion)
    {
        if (apiVersion is not ("dapr.io/v1alpha1" or "dapr.io/v2alpha1"))
        {
            throw new ResourceException(doc.File, "apiVersion", $"'{apiVersion}' is not supported for kind Subscription; expected dapr.io/v2alpha1 or dapr.io/v1alpha1");
        }

        var name = (doc.Mapping("metadata") ?? throw new ResourceException(doc.File, "metadata", "is required")).RequiredString("name");
        var spec = doc.Mapping("spec") ?? throw new ResourceException(doc.File, "spec", "is required");
        var pubsub = spec.RequiredString("pubsubname");
        var topic = spec.RequiredString("topic");
        var rules = new List<SubscriptionRule>();
        string? defaultPath;
        if (apiVersion == "dapr.io/v1alpha1")
        {
            // v1alpha1 has a single route; "routes" belongs to v2alpha1 and daprd would ignore it here.
            if (spec.String("route") is not { Length: > 0 } && spec.Mapping("routes") is not null)
            {
                throw new ResourceException(doc.File, spec.Join("route"), "is required for dapr.io/v1alpha1 ('routes' is the dapr.io/v2alpha1 form)");
            }

            defaultPath = spec.RequiredString("route");
        }
        else
        {
            var routes = spec.Mapping("routes") ?? throw new ResourceException(doc.File, spec.Join("routes"),
                spec.String("route") is { Length: > 0 } ? "is required for dapr.io/v2alpha1 ('route' is the dapr.io/v1alpha1 form)" : "is required");
            foreach (var rule in routes.MappingSequence("rules"))
            {
                var match = rule.RequiredString("match");
                ValidateMatch(match, doc.File, rule.Join("match"));
                rules.Add(new SubscriptionRule(match, rule.RequiredString("path")));
            }

            defaultPath = routes.String("default");
            if (rules.Count == 0 && string.IsNullOrEmpty(defaultPath))
            {
                throw new ResourceException(doc.File, routes.Path, "needs a default route or at least one rule");
            }
        }

        if (spec.Mapping("bulkSubscribe") is { } bulk)
        {
            var enabled = bulk.RequiredString("enabled");
            RequireBool(bulk, "enabled", enabled);
            foreach (var field in new[] { "maxMessagesCount", "maxAwaitDurationMs" })
            {
                if (bulk.String(field) is { Length: > 0 } text && ParseInt(text, doc.File, bulk.Join(field)) < 0)
                {
                    throw new ResourceException(doc.File, bulk.Join(field), "must not be negative");
                }
            }
        }

        return new SubscriptionResource(
            name, pubsub, topic, rules, defaultPath, spec.String("deadLetterTopic") is { Length: > 0 } dlq ? dlq : null,
            spec.StringMap("metadata"), doc.Strings("scopes"), doc.File);
    }

    /// <summary>A rule daprd's CEL compiler would refuse stops start-up, naming the file and the field.</summary>
    private static void ValidateMatch(string match, string file, string field)
    {
        try
        {
            PubSub.Routing.RouteMatcher.Parse(match);
        }
        catch (PubSub.Routing.RouteExpressionException ex)
        {
            throw new ResourceException(file, field, ex.Message);
        }
    }

    internal static void RequireBool(YamlNode node, string field, string value)
    {
        if (value.ToLowerInvariant() is not ("true" or "false"))
        {
            throw new ResourceException(node.File, node.Join(field), $"'{value}' is not a bool (true or false)");
        }
    }

    private static ConfigurationResource LoadConfiguration(string file)
    {
        if (!File.Exists(file))
        {
            throw new ResourceException(file, "--config", "file does not exist");
        }

        var doc = ReadDocuments(file).FirstOrDefault(d => d.String("kind") == "Configuration")
            ?? throw new ResourceException(file, "kind", "no Configuration document in the file");
        RequireApiVersion(doc, doc.String("apiVersion"), "dapr.io/v1alpha1");
        var name = doc.Mapping("metadata")?.String("name") ?? Path.GetFileNameWithoutExtension(file);
        var spec = new Dictionary<string, object?>(StringComparer.Ordinal);
        AccessControlSpec? accessControl = null;
        if (doc.Mapping("spec") is { } specNode)
        {
            ValidateConfigurationSpec(specNode);
            foreach (var entry in specNode.Node.Children)
            {
                spec[((YamlScalarNode)entry.Key).Value ?? ""] = entry.Value.ToString();
            }

            accessControl = specNode.Mapping("accessControl") is { } access ? ParseAccessControl(access) : null;
        }

        return new ConfigurationResource(name, spec, file, accessControl);
    }

    private static AccessControlSpec ParseAccessControl(YamlNode access)
    {
        var policies = new List<AppAccessPolicy>();
        foreach (var policy in access.MappingSequence("policies"))
        {
            var operations = new List<OperationRule>();
            foreach (var operation in policy.MappingSequence("operations"))
            {
                var name = operation.RequiredString("name");
                operations.Add(new OperationRule(
                    name.StartsWith('/') ? name : "/" + name,
                    operation.Strings("httpVerb") is { Count: > 0 } verbs ? verbs : ["*"],
                    Action(operation, "action") ?? true));
            }

            policies.Add(new AppAccessPolicy(
                policy.RequiredString("appId"),
                Action(policy, "defaultAction"),
                policy.String("namespace") is { Length: > 0 } ns ? ns : null,
                policy.String("trustDomain") is { Length: > 0 } td ? td : "public",
                operations));
        }

        return new AccessControlSpec(
            Action(access, "defaultAction"),
            access.String("trustDomain") is { Length: > 0 } trustDomain ? trustDomain : "public",
            policies);
    }

    /// <summary>"allow" → true, "deny" → false, empty → null (the caller decides the default).</summary>
    private static bool? Action(YamlNode node, string field)
    {
        RequireOneOf(node, field, "allow", "deny");
        return node.String(field) is { Length: > 0 } value ? string.Equals(value, "allow", StringComparison.OrdinalIgnoreCase) : null;
    }

    /// <summary>The parts of the Configuration CRD an app's config commonly uses: required fields and their types.</summary>
    private static void ValidateConfigurationSpec(YamlNode spec)
    {
        foreach (var feature in spec.MappingSequence("features"))
        {
            feature.RequiredString("name");
            RequireBool(feature, "enabled", feature.RequiredString("enabled"));
        }

        if (spec.Mapping("tracing") is { } tracing)
        {
            var rate = tracing.RequiredString("samplingRate");
            if (!double.TryParse(rate, NumberStyles.Float, CultureInfo.InvariantCulture, out var r) || r is < 0 or > 1)
            {
                throw new ResourceException(tracing.File, tracing.Join("samplingRate"), $"'{rate}' is not a number between 0 and 1");
            }

            if (tracing.String("stdout") is { Length: > 0 } stdout)
            {
                RequireBool(tracing, "stdout", stdout);
            }

            tracing.Mapping("zipkin")?.RequiredString("endpointAddress");
            if (tracing.Mapping("otel") is { } otel)
            {
                otel.RequiredString("endpointAddress");
                otel.RequiredString("protocol");
                RequireBool(otel, "isSecure", otel.RequiredString("isSecure"));
            }
        }

        foreach (var key in new[] { "metric", "metrics" })
        {
            if (spec.Mapping(key) is { } metric)
            {
                RequireBool(metric, "enabled", metric.RequiredString("enabled"));
            }
        }

        if (spec.Mapping("secrets") is { } secrets)
        {
            foreach (var scope in secrets.MappingSequence("scopes"))
            {
                scope.RequiredString("storeName");
                RequireOneOf(scope, "defaultAccess", "allow", "deny");
                scope.Strings("allowedSecrets");
                scope.Strings("deniedSecrets");
            }
        }

        if (spec.Mapping("accessControl") is { } access)
        {
            RequireOneOf(access, "defaultAction", "allow", "deny");
            foreach (var policy in access.MappingSequence("policies"))
            {
                policy.RequiredString("appId");
                RequireOneOf(policy, "defaultAction", "allow", "deny");
                foreach (var operation in policy.MappingSequence("operations"))
                {
                    operation.RequiredString("name");
                    RequireOneOf(operation, "action", "allow", "deny");
                    operation.RequiredString("action");
                    operation.Strings("httpVerb");
                }
            }
        }

        if (spec.Mapping("nameResolution") is { } resolution)
        {
            resolution.RequiredString("component");
            resolution.RequiredString("version");
        }

        if (spec.Mapping("api") is { } api)
        {
            foreach (var list in new[] { "allowed", "denied" })
            {
                foreach (var rule in api.MappingSequence(list))
                {
                    rule.RequiredString("name");
                    rule.RequiredString("version");
                    RequireOneOf(rule, "protocol", "http", "grpc");
                }
            }
        }

        spec.Mapping("components")?.Strings("deny");
    }

    private static void RequireOneOf(YamlNode node, string field, params string[] allowed)
    {
        if (node.String(field) is { Length: > 0 } value && !allowed.Contains(value, StringComparer.OrdinalIgnoreCase))
        {
            throw new ResourceException(node.File, node.Join(field), $"'{value}' is not one of {string.Join(", ", allowed)}");
        }
    }

    internal static int ParseInt(string text, string file, string field) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ResourceException(file, field, $"'{text}' is not an integer");
}
