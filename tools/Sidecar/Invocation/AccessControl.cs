using Sidecar.Resources;

namespace Sidecar.Invocation;

/// <summary>
/// The callee's access control list for service invocation (Configuration spec.accessControl), with the
/// policy rules of daprd's documentation. daprd identifies the caller by its mTLS certificate; here the
/// caller's sidecar names it in dapr-caller-app-id, trusted because the hop carried this sidecar's hop token
/// (see <see cref="NameRegistry"/>). Every caller is in trust domain "public".
/// </summary>
public static class AccessControl
{
    private const string CallerTrustDomain = "public";

    public static bool IsAllowed(AccessControlSpec? acl, string? callerAppId, string? callerNamespace, string method, string httpVerb)
    {
        // No ACL, or an empty one: everyone may call everything.
        if (acl is null || (acl.DefaultAllow is null && acl.Policies.Count == 0))
        {
            return true;
        }

        // With app policies but no global default, the safer default (deny) applies.
        var globalDefault = acl.DefaultAllow ?? false;
        if (string.IsNullOrEmpty(callerAppId))
        {
            return globalDefault;
        }

        var policy = acl.Policies.FirstOrDefault(p => string.Equals(p.AppId, callerAppId, StringComparison.Ordinal));
        if (policy is null ||
            !string.Equals(policy.TrustDomain, CallerTrustDomain, StringComparison.Ordinal) ||
            (policy.Namespace is not null && !string.Equals(policy.Namespace, callerNamespace ?? "default", StringComparison.Ordinal)))
        {
            return globalDefault;
        }

        var path = "/" + method.TrimStart('/');
        foreach (var operation in policy.Operations)
        {
            if (PathMatches(operation.Name, path) &&
                operation.HttpVerbs.Any(v => v == "*" || string.Equals(v, httpVerb, StringComparison.OrdinalIgnoreCase)))
            {
                return operation.Allow;
            }
        }

        return policy.DefaultAllow ?? globalDefault;
    }

    /// <summary>"*" matches one path segment, "**" the rest of the path; other segments match exactly.</summary>
    private static bool PathMatches(string pattern, string path)
    {
        var patternParts = pattern.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var pathParts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < patternParts.Length; i++)
        {
            if (patternParts[i] == "**")
            {
                return pathParts.Length > i;
            }

            if (i >= pathParts.Length || (patternParts[i] != "*" && !string.Equals(patternParts[i], pathParts[i], StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return patternParts.Length == pathParts.Length;
    }
}
