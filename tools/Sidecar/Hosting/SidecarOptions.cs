using System.Globalization;

namespace Sidecar.Hosting;

/// <summary>The sidecar's settings, taken from daprd's flags and environment variables.</summary>
public sealed record SidecarOptions
{
    public required string AppId { get; init; }

    /// <summary>Null when the app listens on no port (daprd then delivers nothing).</summary>
    public int? AppPort { get; init; }

    public string AppChannelAddress { get; init; } = "127.0.0.1";

    /// <summary>0 = pick a free port.</summary>
    public int GrpcPort { get; init; } = 50001;

    /// <summary>0 = pick a free port.</summary>
    public int HttpPort { get; init; } = 3500;

    public IReadOnlyList<string> ResourcesPaths { get; init; } = [];

    public string? ConfigFile { get; init; }

    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    /// <summary>DAPR_API_TOKEN: required on every call to the sidecar except health checks.</summary>
    public string? ApiToken { get; init; }

    /// <summary>APP_API_TOKEN: sent to the app on every call the sidecar makes.</summary>
    public string? AppApiToken { get; init; }

    /// <summary>NAMESPACE; daprd's outbox and workflow names use "default" when it is unset.</summary>
    public string? Namespace { get; init; }

    /// <summary>daprd sleeps 1 s before relaying an outbox message; tests may shorten it (--sidecar-outbox-delay).</summary>
    public TimeSpan OutboxRelayDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Folder where every sidecar of a run registers its app id and address (name resolution).</summary>
    public string? RegistryDirectory { get; init; }

    /// <summary>Fault-injection plan (off when null); see <see cref="Faults.FaultOptions"/>.</summary>
    public Faults.FaultOptions? Faults { get; init; }

    /// <summary>True when the sidecar runs as its own process, so an injected crash can really kill it.</summary>
    public bool CrashExitsProcess { get; init; }

    /// <summary>Where durable sidecar state (scheduled jobs) lives; null = .data/sidecar/&lt;appId&gt; (--sidecar-data-dir).</summary>
    public string? DataDirectory { get; init; }

    /// <summary>Environment for envRef and secretstores.local.env; null = the process's. The runner gives each in-process sidecar its app's env.</summary>
    public Func<string, string?>? EnvironmentLookup { get; init; }

    public string EffectiveDataDirectory => DataDirectory ?? Path.Combine(".data", "sidecar", AppId);

    public string EffectiveNamespace => string.IsNullOrEmpty(Namespace) ? "default" : Namespace;
}

/// <summary>Parses daprd's command line (plus a few --sidecar-* test switches) into <see cref="SidecarOptions"/>.</summary>
public static class SidecarCommandLine
{
    public const string Usage = """
        usage: sidecar --app-id ID [--app-port N] [--app-protocol http] [--app-channel-address HOST]
                       [--dapr-grpc-port N] [--dapr-http-port N] [--resources-path DIR]... [--config FILE]
                       [--log-level debug|info|warn|error]
                       [--sidecar-registry DIR] [--sidecar-outbox-delay DURATION] [--sidecar-faults SPEC]
                       [--sidecar-data-dir DIR]
        environment: DAPR_API_TOKEN, APP_API_TOKEN, NAMESPACE, DAPR_GRPC_PORT, DAPR_HTTP_PORT, APP_PORT, APP_ID
        """;

    public static SidecarOptions Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        string? appId = environment("APP_ID");
        int? appPort = EnvPort(environment, "APP_PORT");
        var grpcPort = EnvPort(environment, "DAPR_GRPC_PORT") ?? 50001;
        var httpPort = EnvPort(environment, "DAPR_HTTP_PORT") ?? 3500;
        var channelAddress = "127.0.0.1";
        var resources = new List<string>();
        string? config = null;
        var logLevel = LogLevel.Information;
        string? registry = environment("SIDECAR_REGISTRY");
        var outboxDelay = TimeSpan.FromSeconds(1);
        Faults.FaultOptions? faults = null;
        string? dataDirectory = null;

        for (var i = 0; i < args.Count; i++)
        {
            var (name, inlineValue) = SplitFlag(args[i]);
            string Value() => inlineValue ?? (i + 1 < args.Count ? args[++i] : throw new SidecarUsageException($"flag {name} needs a value"));
            switch (name)
            {
                case "--app-id": appId = Value(); break;
                case "--app-port": appPort = Int(name, Value()); break;
                case "--app-protocol":
                    var protocol = Value();
                    if (protocol != "http")
                    {
                        throw new SidecarUsageException($"--app-protocol {protocol} is not supported by this sidecar (only http)");
                    }

                    break;
                case "--app-channel-address": channelAddress = Value(); break;
                case "--dapr-grpc-port": grpcPort = Int(name, Value()); break;
                case "--dapr-http-port": httpPort = Int(name, Value()); break;
                case "--resources-path":
                case "--components-path": resources.Add(Value()); break;
                case "--config": config = Value(); break;
                case "--log-level": logLevel = ParseLogLevel(Value()); break;
                case "--sidecar-registry": registry = Value(); break;
                case "--sidecar-outbox-delay":
                    var text = Value();
                    outboxDelay = Resources.GoDuration.TryParse(text, out var d) && d >= TimeSpan.Zero
                        ? d
                        : throw new SidecarUsageException($"--sidecar-outbox-delay: '{text}' is not a duration");
                    break;
                case "--sidecar-faults": faults = Sidecar.Faults.FaultOptions.Parse(Value()); break;
                case "--sidecar-data-dir": dataDirectory = Value(); break;
                default: throw new SidecarUsageException($"unknown flag '{args[i]}'");
            }
        }

        if (string.IsNullOrWhiteSpace(appId))
        {
            throw new SidecarUsageException("--app-id is required");
        }

        if (appId.Contains("||", StringComparison.Ordinal) || appId.Contains('.', StringComparison.Ordinal))
        {
            throw new SidecarUsageException($"app id '{appId}' may not contain '||' or '.'");
        }

        return new SidecarOptions
        {
            AppId = appId,
            AppPort = appPort,
            AppChannelAddress = channelAddress,
            GrpcPort = grpcPort,
            HttpPort = httpPort,
            ResourcesPaths = resources,
            ConfigFile = config,
            LogLevel = logLevel,
            ApiToken = NullIfEmpty(environment("DAPR_API_TOKEN")),
            AppApiToken = NullIfEmpty(environment("APP_API_TOKEN")),
            Namespace = NullIfEmpty(environment("NAMESPACE")),
            OutboxRelayDelay = outboxDelay,
            RegistryDirectory = registry,
            Faults = faults,
            DataDirectory = dataDirectory,
        };
    }

    private static (string Name, string? Value) SplitFlag(string arg)
    {
        // daprd (Go flag package) accepts -flag and --flag, and --flag=value.
        var normalized = arg.StartsWith("--", StringComparison.Ordinal) ? arg : arg.StartsWith('-') ? "-" + arg : arg;
        var equals = normalized.IndexOf('=', StringComparison.Ordinal);
        return equals < 0 ? (normalized, null) : (normalized[..equals], normalized[(equals + 1)..]);
    }

    private static int Int(string flag, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n is >= 0 and <= 65535
            ? n
            : throw new SidecarUsageException($"{flag}: '{value}' is not a port number");

    // A malformed port in the environment is as wrong as one on the command line; ignoring it would start on the default port.
    private static int? EnvPort(Func<string, string?> environment, string name) =>
        environment(name) is { Length: > 0 } value ? Int(name, value) : null;

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static LogLevel ParseLogLevel(string value) => value.ToLowerInvariant() switch
    {
        "debug" => LogLevel.Debug,
        "info" => LogLevel.Information,
        "warn" => LogLevel.Warning,
        "error" => LogLevel.Error,
        "fatal" => LogLevel.Critical,
        _ => throw new SidecarUsageException($"--log-level: '{value}' is not one of debug, info, warn, error, fatal"),
    };
}

public sealed class SidecarUsageException(string message) : Exception(message);
