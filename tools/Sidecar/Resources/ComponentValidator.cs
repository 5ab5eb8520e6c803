using System.Globalization;
using System.Text.RegularExpressions;

namespace Sidecar.Resources;

/// <summary>
/// Checks a component's metadata against what the real component and daprd accept, from a table of the
/// types this sidecar drives (facts from components-contrib's metadata.yaml files and daprd's Go code,
/// written here as C# data). A failed check stops start-up, as a failed component init does in daprd.
/// </summary>
/// <remarks>
/// Unknown metadata names are a warning, not an error: daprd ignores them, so failing would refuse YAML
/// that real Dapr runs. They are nearly always typos, so <see cref="Validate"/> returns them for the host
/// to log. Everything daprd or the component would refuse (or silently misread, such as "yes" for a bool)
/// is an error.
/// </remarks>
internal static partial class ComponentValidator
{
    private enum Kind
    {
        String,
        Bool,
        Duration,
        Number,
    }

    private sealed record Field(string Name, Kind Kind = Kind.String, string[]? AllowedValues = null);

    private sealed record Spec(
        Field[] Fields,
        Dictionary<string, string> Aliases,
        string[] Features,
        Action<ComponentResource>? CheckRequired = null,
        bool InputBinding = false);

    // Placeholders daprd expands in values before the component sees them; their values are not type-checked.
    private static readonly string[] Placeholders = ["{uuid}", "{podName}", "{namespace}", "{appID}"];

    private static readonly string[] AzureEnvironments = ["AzurePublicCloud", "AzureChinaCloud", "AzureUSGovernmentCloud"];

    // Fields of the builtin "azuread" authentication profile (schema/builtin-authentication-profiles.yaml).
    private static readonly Field[] AzureAdProfile =
    [
        new("azureClientId"), new("azureTenantId"), new("azureClientSecret"), new("azureCertificate"),
        new("azureCertificateFile"), new("azureCertificatePassword"), new("azureEnvironment", Kind.String, AzureEnvironments),
    ];

    // Fields of the builtin "aws" authentication profile.
    private static readonly Field[] AwsProfile =
    [
        new("region"), new("awsRegion"), new("accessKey"), new("secretKey"), new("sessionToken"),
        new("assumeRoleArn"), new("sessionName"), new("trustAnchorArn"), new("trustProfileArn"),
    ];

    private static readonly Field[] PostgresCommon =
    [
        new("connectionString"), new("timeout", Kind.Duration), new("metadataTableName"), new("cleanupInterval", Kind.Duration),
        new("maxConns", Kind.Number), new("connectionMaxIdleTime", Kind.Duration),
        new("queryExecMode", Kind.String, ["cache_statement", "cache_describe", "describe_exec", "exec", "simple_protocol"]),
        new("host"), new("hostaddr"), new("port"), new("database"), new("user"), new("password"), new("sslRootCert"),
        new("useAzureAD", Kind.Bool), new("useAWSIAM", Kind.Bool), new("awsAccessKey"), new("awsSecretKey"),
        .. AzureAdProfile, .. AwsProfile,
    ];

    private static readonly Field[] RedisAuth =
    [
        new("redisUsername"), new("redisPassword"), new("sentinelUsername"), new("sentinelPassword"),
        new("useOIDC", Kind.Bool), new("oidcTokenEndpoint"), new("oidcClientID"), new("oidcClientAssertionCert"),
        new("oidcClientAssertionKey"), new("oidcResource"), new("oidcAudience"), new("oidcScopes"), new("oidcKid"), new("oidcCACert"),
        new("useEntraID", Kind.Bool), .. AzureAdProfile,
    ];

    private static readonly Field[] RedisState =
    [
        new("redisHost"), new("redisPort"), new("enableTLS", Kind.Bool), new("insecureSkipTLSVerify", Kind.Bool),
        new("clientCert"), new("clientKey"), new("failover", Kind.Bool), new("sentinelMasterName"),
        new("redeliverInterval", Kind.Duration), new("processingTimeout", Kind.Duration),
        new("redisType", Kind.String, ["node", "cluster"]), new("redisDB", Kind.Number), new("redisMaxRetries", Kind.Number),
        new("redisMinRetryInterval", Kind.Duration), new("redisMaxRetryInterval", Kind.Duration), new("dialTimeout", Kind.Duration),
        new("readTimeout", Kind.Duration), new("writeTimeout", Kind.Duration), new("poolSize", Kind.Number),
        new("poolTimeout", Kind.Duration), new("maxConnAge", Kind.Duration), new("minIdleConns", Kind.Number),
        new("idleCheckFrequency", Kind.Duration), new("idleTimeout", Kind.Duration), new("ttlInSeconds", Kind.Number),
        new("queryIndexes"), .. RedisAuth,
    ];

    private static readonly Field[] RedisPubSub =
    [
        new("redisHost"), new("redisPort"), new("consumerID"), new("enableTLS", Kind.Bool), new("insecureSkipTLSVerify", Kind.Bool),
        new("clientCert"), new("clientKey"), new("redeliverInterval", Kind.Duration), new("processingTimeout", Kind.Duration),
        new("queueDepth", Kind.Number), new("concurrency", Kind.Number), new("redisType"), new("redisDB", Kind.Number),
        new("redisMaxRetries", Kind.Number), new("redisMinRetryInterval", Kind.Duration), new("redisMaxRetryInterval", Kind.Duration),
        new("dialTimeout", Kind.Duration), new("readTimeout", Kind.Duration), new("writeTimeout", Kind.Duration),
        new("poolSize", Kind.Number), new("poolTimeout", Kind.Duration), new("maxConnAge", Kind.Duration),
        new("minIdleConns", Kind.Number), new("idleCheckFrequency", Kind.Duration), new("idleTimeout", Kind.Duration),
        new("failover", Kind.Bool), new("sentinelMasterName"), new("maxLenApprox", Kind.Number), new("streamTTL", Kind.Duration),
        .. RedisAuth,
    ];

    private static readonly Dictionary<string, string> PostgresAliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["url"] = "connectionString", ["timeoutInSeconds"] = "timeout", ["cleanupIntervalInSeconds"] = "cleanupInterval", ["awsRegion"] = "region",
    };

    private static readonly Dictionary<string, string> NoAliases = new(StringComparer.OrdinalIgnoreCase);

    private static readonly string[] FullStateFeatures = ["ETAG", "TRANSACTIONAL", "TTL"];

    /// <summary>Keyed by "type/version" (type after alias mapping, version after "" → v1).</summary>
    private static readonly Dictionary<string, Spec> Specs = new(StringComparer.Ordinal)
    {
        ["state.postgresql/v1"] = new([.. PostgresCommon, new("tableName")], PostgresAliases, [.. FullStateFeatures, "QUERY_API"], RequirePostgresConnection),
        ["state.postgresql/v2"] = new([.. PostgresCommon, new("tablePrefix")], PostgresAliases, FullStateFeatures, RequirePostgresConnection),
        ["state.redis/v1"] = new(RedisState, new(StringComparer.OrdinalIgnoreCase)
        {
            ["useAzureAD"] = "useEntraID", ["maxRetries"] = "redisMaxRetries", ["maxRetryBackoff"] = "redisMinRetryInterval",
        }, FullStateFeatures, c => Require(c, "redisHost")),
        ["state.in-memory/v1"] = new([], NoAliases, FullStateFeatures),
        ["pubsub.redis/v1"] = new(RedisPubSub, new(StringComparer.OrdinalIgnoreCase) { ["useAzureAD"] = "useEntraID" }, [], c => Require(c, "redisHost")),
        ["pubsub.in-memory/v1"] = new([], NoAliases, ["SUBSCRIBE_WILDCARDS"]),
        ["secretstores.local.file/v1"] = new(
            [new("secretsFile"), new("nestedSeparator"), new("multiValued", Kind.Bool)], NoAliases, [], c => Require(c, "secretsFile")),
        ["secretstores.local.env/v1"] = new([new("prefix")], NoAliases, []),
        ["bindings.cron/v1"] = new([new("schedule")], NoAliases, [], RequireSchedule, InputBinding: true),
    };

    // spec.type aliases daprd registers for the same component.
    private static readonly Dictionary<string, string> TypeAliases = new(StringComparer.Ordinal)
    {
        ["state.postgres"] = "state.postgresql",
    };

    // Names the runtime adds for every component of a kind. The outbox keys and consumerID are read with exact case.
    private static readonly Field[] StateBuiltins =
    [
        new("actorStateStore", Kind.Bool), new("keyPrefix"), new("outboxPublishPubsub"), new("outboxPublishTopic"),
        new("outboxPubsub"), new("outboxDiscardWhenMissingState", Kind.Bool), new("primaryEncryptionKey"), new("secondaryEncryptionKey"),
    ];

    private static readonly Field[] PubSubBuiltins =
    [
        new("consumerID"), new("allowedTopics"), new("publishingScopes"), new("subscriptionScopes"), new("protectedTopics"),
    ];

    private static readonly Field[] InputBindingBuiltins =
    [
        new("direction", Kind.String, ["input", "output", "input, output", "output, input"]), new("route"),
    ];

    // Fields that hold secrets (metadata.yaml "sensitive", plus postgres' password and the encryption keys).
    private static readonly HashSet<string> SensitiveNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "password", "redisPassword", "sentinelPassword", "oidcClientAssertionKey", "awsSecretKey", "accessKey", "secretKey",
        "sessionToken", "azureCertificate", "azureCertificatePassword", "azureClientSecret", "primaryEncryptionKey", "secondaryEncryptionKey",
    };

    private static readonly HashSet<string> ExactCaseNames = new(StringComparer.Ordinal)
    {
        "outboxPublishPubsub", "outboxPublishTopic", "outboxPubsub", "outboxDiscardWhenMissingState", "consumerID",
    };

    public static IEnumerable<string> SupportedTypes => Specs.Keys.Select(k => k[..k.IndexOf('/', StringComparison.Ordinal)]).Distinct();

    /// <summary>The version daprd runs when spec.version is empty.</summary>
    public static string EffectiveVersion(string version) => string.IsNullOrEmpty(version) ? "v1" : version;

    /// <summary>Whether the store's Go Features() include what daprd needs for an actor state store.</summary>
    public static bool SupportsActorState(ComponentResource component) =>
        Specs.TryGetValue(Key(component), out var spec) && spec.Features.Contains("ETAG") && spec.Features.Contains("TRANSACTIONAL");

    /// <summary>Validates one component; throws <see cref="ResourceException"/> on an error.</summary>
    /// <param name="plainValueNames">Metadata given as a literal <c>value</c> (not secretKeyRef/envRef), to flag secrets written in the file.</param>
    /// <returns>Warnings (unknown metadata names, secrets in plain text) for the host to log.</returns>
    public static IReadOnlyList<string> Validate(ComponentResource component, IReadOnlySet<string>? plainValueNames = null)
    {
        var type = MapType(component.Type);
        var version = EffectiveVersion(component.Version);
        if (!Specs.Keys.Any(k => k.StartsWith(type + "/", StringComparison.Ordinal)))
        {
            throw new ResourceException(component.SourceFile, "spec.type",
                $"component type '{component.Type}' is unknown or not supported by this sidecar (supported: {string.Join(", ", SupportedTypes)})");
        }

        if (!Specs.TryGetValue($"{type}/{version}", out var spec))
        {
            var versions = Specs.Keys.Where(k => k.StartsWith(type + "/", StringComparison.Ordinal)).Select(k => k[(type.Length + 1)..]);
            throw new ResourceException(component.SourceFile, "spec.version",
                $"version '{component.Version}' of {component.Type} is unknown (expected {string.Join(" or ", versions)})");
        }

        var fields = new Dictionary<string, Field>(StringComparer.OrdinalIgnoreCase);
        foreach (var field in spec.Fields.Concat(Builtins(component, spec)))
        {
            fields.TryAdd(field.Name, field);
        }

        var warnings = new List<string>();
        foreach (var (name, value) in component.Metadata.All)
        {
            var fieldPath = $"spec.metadata.{name}";
            var field = fields.GetValueOrDefault(name)
                ?? (spec.Aliases.TryGetValue(name, out var target) ? fields.GetValueOrDefault(target) : null);
            if (field is null)
            {
                warnings.Add($"{component.SourceFile}: {fieldPath}: unknown metadata for {component.Type}/{version}; daprd ignores it (typo?)");
                continue;
            }

            if (ExactCaseNames.Contains(field.Name) && !string.Equals(field.Name, name, StringComparison.Ordinal))
            {
                throw new ResourceException(component.SourceFile, fieldPath, $"daprd reads this name with exact case: write '{field.Name}'");
            }

            CheckValue(component, field, fieldPath, value);
            if (value.Length > 0 && plainValueNames?.Contains(name) == true && IsSecret(field.Name, value))
            {
                warnings.Add($"{component.SourceFile}: {fieldPath}: a secret written in plain text; use secretKeyRef with auth.secretStore, or envRef");
            }
        }

        spec.CheckRequired?.Invoke(component);
        if (component.IsStateStore)
        {
            ValidateStateBuiltins(component);
        }

        return warnings;
    }

    private static Field[] Builtins(ComponentResource component, Spec spec) =>
        component.IsStateStore ? StateBuiltins
        : component.IsPubSub ? PubSubBuiltins
        : spec.InputBinding ? InputBindingBuiltins
        : [];

    private static string MapType(string type) => TypeAliases.GetValueOrDefault(type, type);

    private static string Key(ComponentResource component) => $"{MapType(component.Type)}/{EffectiveVersion(component.Version)}";

    private static void CheckValue(ComponentResource component, Field field, string fieldPath, string value)
    {
        // Empty means unset to daprd's decoder; placeholders are expanded by daprd later.
        if (value.Length == 0 || Placeholders.Any(p => value.Contains(p, StringComparison.Ordinal)))
        {
            return;
        }

        var problem = field.Kind switch
        {
            Kind.Bool when value.ToLowerInvariant() is not ("true" or "false") =>
                $"'{value}' is not a bool: write true or false (daprd reads anything but y/yes/true/t/on/1 as false without an error)",
            Kind.Duration when !IsDuration(value) => $"'{value}' is not a duration (a Go duration such as 500ms, 5s, 1m, or an integer number of seconds)",
            Kind.Number when !long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) => $"'{value}' is not an integer",
            _ when field.AllowedValues is { } allowed && !allowed.Contains(value, StringComparer.Ordinal) =>
                $"'{value}' is not allowed (one of: {string.Join(", ", allowed)})",
            _ => null,
        };
        if (problem is not null)
        {
            throw new ResourceException(component.SourceFile, fieldPath, problem);
        }
    }

    // A connection string is only a secret when it carries a password (keyword form or URL user:password@).
    private static bool IsSecret(string field, string value) =>
        SensitiveNames.Contains(field) ||
        (field == "connectionString" && (value.Contains("password=", StringComparison.OrdinalIgnoreCase) || ConnectionUrlPassword().IsMatch(value)));

    [GeneratedRegex(@"^[a-z]+://[^/@:]+:[^/@]+@", RegexOptions.IgnoreCase)]
    private static partial Regex ConnectionUrlPassword();

    private static bool IsDuration(string value) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _) || GoDuration.TryParse(value, out _);

    private static void ValidateStateBuiltins(ComponentResource component)
    {
        if (component.Metadata.Get("keyPrefix") is { } prefix && prefix.Contains("||", StringComparison.Ordinal))
        {
            throw new ResourceException(component.SourceFile, "spec.metadata.keyPrefix", "must not contain '||' (daprd's key separator)");
        }

        if (component.Metadata.GetBool("actorStateStore") && !SupportsActorState(component))
        {
            throw new ResourceException(component.SourceFile, "spec.metadata.actorStateStore",
                $"{component.Type} lacks the ETAG and TRANSACTIONAL features daprd needs for an actor state store");
        }

        var hasPubsub = !string.IsNullOrEmpty(component.Metadata.GetExact("outboxPublishPubsub"));
        var hasTopic = !string.IsNullOrEmpty(component.Metadata.GetExact("outboxPublishTopic"));
        if (hasPubsub != hasTopic)
        {
            var missing = hasPubsub ? "outboxPublishTopic" : "outboxPublishPubsub";
            throw new ResourceException(component.SourceFile, $"spec.metadata.{missing}", "the outbox needs both outboxPublishPubsub and outboxPublishTopic");
        }
    }

    private static void Require(ComponentResource component, string name)
    {
        if (string.IsNullOrEmpty(component.Metadata.Get(name)))
        {
            throw new ResourceException(component.SourceFile, $"spec.metadata.{name}", $"is required for {component.Type}");
        }
    }

    private static readonly string[] PostgresConnectionFields = ["connectionString", "url", "host"];

    // The component accepts a connection string (or its old alias "url") or the discrete host/port/... fields.
    private static void RequirePostgresConnection(ComponentResource component)
    {
        if (PostgresConnectionFields.All(n => string.IsNullOrEmpty(component.Metadata.Get(n))))
        {
            throw new ResourceException(component.SourceFile, "spec.metadata.connectionString",
                $"is required for {component.Type} (or the discrete host/port/database/user/password fields)");
        }
    }

    // The same parser the binding runs on (robfig/cron with optional seconds), so load-time and run-time agree.
    private static void RequireSchedule(ComponentResource component)
    {
        Require(component, "schedule");
        var schedule = component.Metadata.Get("schedule")!.Trim();
        if (!Jobs.ScheduleParser.TryParse(schedule, Jobs.CronFieldCount.FiveOrSix, out _, out var error))
        {
            throw new ResourceException(component.SourceFile, "spec.metadata.schedule", $"invalid schedule format: {schedule}: {error}");
        }
    }
}
