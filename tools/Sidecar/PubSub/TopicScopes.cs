using Sidecar.Resources;

namespace Sidecar.PubSub;

/// <summary>
/// Topic scoping from pub/sub component metadata (daprd's scoping): <c>allowedTopics</c> limits every app,
/// <c>publishingScopes</c>/<c>subscriptionScopes</c> ("app1=t1,t2;app2=") limit the apps they list, and a
/// <c>protectedTopics</c> entry is usable only by apps whose scope names it.
/// </summary>
public static class TopicScopes
{
    public static bool MayPublish(ComponentResource component, string appId, string topic) =>
        Allowed(component.Metadata, "publishingScopes", appId, topic);

    public static bool MaySubscribe(ComponentResource component, string appId, string topic) =>
        Allowed(component.Metadata, "subscriptionScopes", appId, topic);

    private static bool Allowed(ComponentMetadata metadata, string scopesKey, string appId, string topic)
    {
        var allowed = List(metadata.Get("allowedTopics"));
        if (allowed.Count > 0 && !allowed.Contains(topic))
        {
            return false;
        }

        var scopes = Scopes(metadata.Get(scopesKey));
        var mine = scopes.GetValueOrDefault(appId);
        if (List(metadata.Get("protectedTopics")).Contains(topic) && mine?.Contains(topic) != true)
        {
            return false;
        }

        return mine is null || mine.Contains(topic);
    }

    private static HashSet<string> List(string? text) =>
        (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);

    private static Dictionary<string, HashSet<string>> Scopes(string? text)
    {
        var scopes = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var part in (text ?? "").Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var app = equals < 0 ? part : part[..equals];
            scopes[app] = List(equals < 0 ? "" : part[(equals + 1)..]);
        }

        return scopes;
    }
}
