namespace Sidecar.State;

/// <summary>daprd's key prefixing (contract §2.2): what the component sees, and what callers get back.</summary>
public sealed class StateKeys
{
    private readonly string? _prefix;

    public StateKeys(string? keyPrefixSetting, string appId, string storeName, string? @namespace)
    {
        _prefix = (keyPrefixSetting ?? "appid").ToLowerInvariant() switch
        {
            "" or "appid" => appId,
            "name" => storeName,
            "namespace" => string.IsNullOrEmpty(@namespace) ? appId : $"{@namespace}.{appId}",
            "none" => null,
            var custom => custom,
        };
    }

    /// <exception cref="ArgumentException">The key contains "||" (daprd: InvalidArgument).</exception>
    public string ToStoreKey(string key)
    {
        if (key.Contains("||", StringComparison.Ordinal))
        {
            throw new ArgumentException($"input key/keyPrefix '{key}' can't contain '||'", nameof(key));
        }

        return _prefix is null ? key : $"{_prefix}||{key}";
    }

    /// <summary>The text between the first and second "||", as daprd de-prefixes bulk and query results.</summary>
    public static string ToAppKey(string storeKey)
    {
        var first = storeKey.IndexOf("||", StringComparison.Ordinal);
        if (first < 0)
        {
            return storeKey;
        }

        var rest = storeKey[(first + 2)..];
        var second = rest.IndexOf("||", StringComparison.Ordinal);
        return second < 0 ? rest : rest[..second];
    }
}
