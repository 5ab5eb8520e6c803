using Sidecar.Resiliency;

namespace Sidecar.Resources;

/// <summary>
/// Parses a Resiliency resource (dapr.io/v1alpha1): named policies and the targets that use them. Checks
/// what the CRD requires (spec.policies, spec.targets) and what daprd refuses at load (a target naming an
/// undefined policy, a bad duration or status-code list, a trip expression it cannot evaluate).
/// </summary>
internal static class ResiliencyParser
{
    public static ResiliencyResource Parse(YamlNode doc)
    {
        var name = (doc.Mapping("metadata") ?? throw new ResourceException(doc.File, "metadata", "is required")).RequiredString("name");
        var spec = doc.Mapping("spec") ?? throw new ResourceException(doc.File, "spec", "is required");
        var policies = spec.Mapping("policies") ?? throw new ResourceException(doc.File, spec.Join("policies"), "is required");

        var retries = new Dictionary<string, RetryPolicy>(StringComparer.Ordinal);
        if (policies?.Mapping("retries") is { } retriesNode)
        {
            foreach (var (policyName, node) in retriesNode.Entries())
            {
                retries[policyName] = ParseRetry(policyName, node);
            }
        }

        var timeouts = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        if (policies?.Mapping("timeouts") is { } timeoutsNode)
        {
            foreach (var (key, _) in timeoutsNode.Node.Children)
            {
                var timeoutName = key.ToString();
                var text = timeoutsNode.String(timeoutName) ?? "";
                timeouts[timeoutName] = Duration(text, timeoutsNode, timeoutName);
            }
        }

        var breakers = new Dictionary<string, CircuitBreakerPolicy>(StringComparer.Ordinal);
        if (policies?.Mapping("circuitBreakers") is { } breakersNode)
        {
            foreach (var (breakerName, node) in breakersNode.Entries())
            {
                var maxRequests = node.String("maxRequests") is { } max ? ResourceLoader.ParseInt(max, doc.File, node.Join("maxRequests")) : 1;
                if (maxRequests < 0)
                {
                    throw new ResourceException(doc.File, node.Join("maxRequests"), "must not be negative");
                }

                // gobreaker's default ReadyToTrip is "more than 5 consecutive failures".
                var trip = node.String("trip") is { Length: > 0 } t ? t : "consecutiveFailures > 5";
                try
                {
                    TripExpression.Parse(trip);
                }
                catch (FormatException ex)
                {
                    throw new ResourceException(doc.File, node.Join("trip"), ex.Message);
                }

                breakers[breakerName] = new CircuitBreakerPolicy(
                    breakerName,
                    maxRequests,
                    node.String("interval") is { } interval ? Duration(interval, node, "interval") : TimeSpan.Zero,
                    node.String("timeout") is { } timeout ? Duration(timeout, node, "timeout") : TimeSpan.FromSeconds(60),
                    trip);
            }
        }

        var targets = spec.Mapping("targets") ?? throw new ResourceException(doc.File, spec.Join("targets"), "is required");
        var apps = new Dictionary<string, TargetPolicies>(StringComparer.Ordinal);
        if (targets.Mapping("apps") is { } appsNode)
        {
            foreach (var (appId, node) in appsNode.Entries())
            {
                RequireNonNegativeInt(node, "circuitBreakerCacheSize");
                apps[appId] = ResolveTarget(node, retries, timeouts, breakers);
            }
        }

        // Actors are not hosted by this sidecar, but a reference to an undefined policy is still an error in daprd.
        if (targets.Mapping("actors") is { } actorsNode)
        {
            foreach (var (_, node) in actorsNode.Entries())
            {
                RequireNonNegativeInt(node, "circuitBreakerCacheSize");
                ResolveTarget(node, retries, timeouts, breakers);
            }
        }

        var inbound = new Dictionary<string, TargetPolicies>(StringComparer.Ordinal);
        var outbound = new Dictionary<string, TargetPolicies>(StringComparer.Ordinal);
        if (targets.Mapping("components") is { } componentsNode)
        {
            foreach (var (componentName, node) in componentsNode.Entries())
            {
                if (node.Mapping("inbound") is { } inNode)
                {
                    inbound[componentName] = ResolveTarget(inNode, retries, timeouts, breakers);
                }

                if (node.Mapping("outbound") is { } outNode)
                {
                    outbound[componentName] = ResolveTarget(outNode, retries, timeouts, breakers);
                }
            }
        }

        return new ResiliencyResource(name, retries, timeouts, breakers, apps, inbound, outbound, doc.Strings("scopes"), doc.File);
    }

    private static RetryPolicy ParseRetry(string name, YamlNode node)
    {
        var kind = (node.String("policy") ?? "constant") switch
        {
            "constant" => RetryPolicyKind.Constant,
            "exponential" => RetryPolicyKind.Exponential,
            var other => throw new ResourceException(node.File, node.Join("policy"), $"'{other}' is not a retry policy (constant or exponential)"),
        };
        var duration = node.String("duration") is { } d ? Duration(d, node, "duration") : TimeSpan.FromSeconds(5);
        var maxInterval = node.String("maxInterval") is { } m ? Duration(m, node, "maxInterval") : TimeSpan.FromSeconds(60);
        var maxRetries = node.String("maxRetries") is { } r ? ResourceLoader.ParseInt(r, node.File, node.Join("maxRetries")) : -1;
        if (maxRetries < -1)
        {
            throw new ResourceException(node.File, node.Join("maxRetries"), "must be -1 (forever) or more");
        }

        var matching = RetryMatching.Any;
        if (node.Mapping("matching") is { } matchNode)
        {
            matching = new RetryMatching(
                ParseCodes(matchNode.String("httpStatusCodes"), matchNode, "httpStatusCodes", 100, 599),
                ParseCodes(matchNode.String("gRPCStatusCodes"), matchNode, "gRPCStatusCodes", 0, 16));
        }

        return new RetryPolicy(name, kind, duration, maxInterval, maxRetries, matching);
    }

    /// <summary>Parses "429,500-599" into ranges, as daprd's resiliency matching does.</summary>
    private static List<(int From, int To)> ParseCodes(string? text, YamlNode node, string field, int min, int max)
    {
        var ranges = new List<(int, int)>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return ranges;
        }

        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var bounds = part.Split('-', StringSplitOptions.TrimEntries);
            var from = ResourceLoader.ParseInt(bounds[0], node.File, node.Join(field));
            var to = bounds.Length > 1 ? ResourceLoader.ParseInt(bounds[1], node.File, node.Join(field)) : from;
            if (bounds.Length > 2 || from < min || to > max || from > to)
            {
                throw new ResourceException(node.File, node.Join(field), $"'{part}' is not a valid code or range ({min}-{max})");
            }

            ranges.Add((from, to));
        }

        return ranges;
    }

    private static TargetPolicies ResolveTarget(
        YamlNode node,
        Dictionary<string, RetryPolicy> retries,
        Dictionary<string, TimeSpan> timeouts,
        Dictionary<string, CircuitBreakerPolicy> breakers)
    {
        RetryPolicy? retry = null;
        if (node.String("retry") is { Length: > 0 } retryName)
        {
            retry = retries.TryGetValue(retryName, out var policy)
                ? policy
                : throw new ResourceException(node.File, node.Join("retry"), $"retry policy '{retryName}' is not defined");
        }

        TimeSpan? timeout = null;
        if (node.String("timeout") is { Length: > 0 } timeoutName)
        {
            // A target may name a policy or give a duration directly.
            timeout = timeouts.TryGetValue(timeoutName, out var named)
                ? named
                : GoDuration.TryParse(timeoutName, out var inline) && inline >= TimeSpan.Zero
                    ? inline
                    : throw new ResourceException(node.File, node.Join("timeout"), $"timeout policy '{timeoutName}' is not defined");
        }

        CircuitBreakerPolicy? breaker = null;
        if (node.String("circuitBreaker") is { Length: > 0 } breakerName)
        {
            breaker = breakers.TryGetValue(breakerName, out var policy)
                ? policy
                : throw new ResourceException(node.File, node.Join("circuitBreaker"), $"circuit breaker '{breakerName}' is not defined");
        }

        return new TargetPolicies(retry, timeout, breaker);
    }

    // A negative duration would make a timer or delay throw later, mid-request.
    private static TimeSpan Duration(string text, YamlNode node, string field)
    {
        var value = GoDuration.Parse(text, node.File, node.Join(field));
        return value >= TimeSpan.Zero ? value : throw new ResourceException(node.File, node.Join(field), $"'{text}' must not be negative");
    }

    private static void RequireNonNegativeInt(YamlNode node, string field)
    {
        if (node.String(field) is { Length: > 0 } text && ResourceLoader.ParseInt(text, node.File, node.Join(field)) < 0)
        {
            throw new ResourceException(node.File, node.Join(field), "must not be negative");
        }
    }
}
