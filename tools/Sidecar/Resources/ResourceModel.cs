namespace Sidecar.Resources;

/// <summary>A Dapr Component as loaded from YAML, secrets already resolved.</summary>
public sealed record ComponentResource(
    string Name,
    string Type,
    string Version,
    ComponentMetadata Metadata,
    IReadOnlyList<string> Scopes,
    string SourceFile)
{
    /// <summary>daprd loads a component only for the apps its scopes name (empty = every app).</summary>
    public bool AppliesTo(string appId) => Scopes.Count == 0 || Scopes.Contains(appId, StringComparer.Ordinal);

    public bool IsStateStore => Type.StartsWith("state.", StringComparison.Ordinal);

    public bool IsPubSub => Type.StartsWith("pubsub.", StringComparison.Ordinal);

    public bool IsSecretStore => Type.StartsWith("secretstores.", StringComparison.Ordinal);

    public bool IsBinding => Type.StartsWith("bindings.", StringComparison.Ordinal);
}

/// <summary>
/// Component metadata. daprd's decoder matches names case-insensitively, except the outbox keys and
/// consumerID, which the runtime reads with exact case (see <see cref="GetExact"/>).
/// </summary>
public sealed class ComponentMetadata
{
    private readonly Dictionary<string, string> _exact;
    private readonly Dictionary<string, string> _ignoreCase;

    public ComponentMetadata(IEnumerable<KeyValuePair<string, string>> items)
    {
        _exact = new Dictionary<string, string>(StringComparer.Ordinal);
        _ignoreCase = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in items)
        {
            _exact[key] = value;
            _ignoreCase[key] = value;
        }
    }

    public static ComponentMetadata Empty { get; } = new([]);

    public IReadOnlyDictionary<string, string> All => _exact;

    public string? Get(string name) => _ignoreCase.TryGetValue(name, out var value) ? value : null;

    public string? GetExact(string name) => _exact.TryGetValue(name, out var value) ? value : null;

    public string GetOrDefault(string name, string fallback) => Get(name) is { Length: > 0 } value ? value : fallback;

    /// <summary>daprd's truthiness: y, yes, true, t, on, 1 (any case) are true; everything else false.</summary>
    public bool GetBool(string name, bool fallback = false) => Get(name) is { } value ? IsTruthy(value) : fallback;

    public static bool IsTruthy(string value) =>
        value.Trim().ToUpperInvariant() is "Y" or "YES" or "TRUE" or "T" or "ON" or "1";
}

public sealed record SubscriptionRule(string Match, string Path);

/// <summary>A subscription, declarative (YAML) or programmatic (/dapr/subscribe).</summary>
public sealed record SubscriptionResource(
    string Name,
    string PubsubName,
    string Topic,
    IReadOnlyList<SubscriptionRule> Rules,
    string? DefaultPath,
    string? DeadLetterTopic,
    IReadOnlyDictionary<string, string> Metadata,
    IReadOnlyList<string> Scopes,
    string Source)
{
    public bool AppliesTo(string appId) => Scopes.Count == 0 || Scopes.Contains(appId, StringComparer.Ordinal);

    public bool RawPayload =>
        Metadata.TryGetValue("rawPayload", out var raw) && ComponentMetadata.IsTruthy(raw);
}

public enum RetryPolicyKind
{
    Constant,
    Exponential,
}

public sealed record RetryMatching(IReadOnlyList<(int From, int To)> HttpStatusCodes, IReadOnlyList<(int From, int To)> GrpcStatusCodes)
{
    public static RetryMatching Any { get; } = new([], []);

    public bool IsEmpty => HttpStatusCodes.Count == 0 && GrpcStatusCodes.Count == 0;
}

/// <summary>A Resiliency retry policy; <see cref="MaxRetries"/> of -1 means retry forever.</summary>
public sealed record RetryPolicy(
    string Name,
    RetryPolicyKind Kind,
    TimeSpan Duration,
    TimeSpan MaxInterval,
    int MaxRetries,
    RetryMatching Matching);

public sealed record CircuitBreakerPolicy(string Name, int MaxRequests, TimeSpan Interval, TimeSpan Timeout, string Trip);

/// <summary>The policies that apply to one target direction (an app, or a component's inbound/outbound side).</summary>
public sealed record TargetPolicies(RetryPolicy? Retry, TimeSpan? Timeout, CircuitBreakerPolicy? CircuitBreaker)
{
    public static TargetPolicies None { get; } = new(null, null, null);
}

public sealed record ResiliencyResource(
    string Name,
    IReadOnlyDictionary<string, RetryPolicy> Retries,
    IReadOnlyDictionary<string, TimeSpan> Timeouts,
    IReadOnlyDictionary<string, CircuitBreakerPolicy> CircuitBreakers,
    IReadOnlyDictionary<string, TargetPolicies> Apps,
    IReadOnlyDictionary<string, TargetPolicies> ComponentsInbound,
    IReadOnlyDictionary<string, TargetPolicies> ComponentsOutbound,
    IReadOnlyList<string> Scopes,
    string SourceFile);

public sealed record ConfigurationResource(string Name, IReadOnlyDictionary<string, object?> Spec, string SourceFile, AccessControlSpec? AccessControl = null);

/// <summary>One operation rule of an app policy: a path pattern ("*" one segment, "**" any), HTTP verbs ("*" any), allow or deny.</summary>
public sealed record OperationRule(string Name, IReadOnlyList<string> HttpVerbs, bool Allow);

/// <summary>What one calling app may do on this app (Configuration spec.accessControl.policies[]).</summary>
public sealed record AppAccessPolicy(string AppId, bool? DefaultAllow, string? Namespace, string TrustDomain, IReadOnlyList<OperationRule> Operations);

/// <summary>Configuration spec.accessControl: which callers may invoke this app's methods.</summary>
public sealed record AccessControlSpec(bool? DefaultAllow, string TrustDomain, IReadOnlyList<AppAccessPolicy> Policies);

/// <summary>
/// Everything loaded from the resources paths for one app: only the components, subscriptions and
/// resiliencies whose scopes include it (daprd does not load the others at all), plus the warnings
/// (e.g. unknown metadata names) that did not stop loading.
/// </summary>
public sealed record ResourceSet(
    IReadOnlyList<ComponentResource> Components,
    IReadOnlyList<SubscriptionResource> Subscriptions,
    IReadOnlyList<ResiliencyResource> Resiliencies,
    ConfigurationResource? Configuration,
    IReadOnlyList<string>? Warnings = null)
{
    public static ResourceSet Empty { get; } = new([], [], [], null);
}

/// <summary>A resource file that daprd would refuse; names the file and the field.</summary>
public sealed class ResourceException(string file, string field, string message)
    : Exception($"{file}: {field}: {message}")
{
    public string File { get; } = file;

    public string Field { get; } = field;
}
