using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Sidecar.Runner;

/// <summary>A parsed multi-app run file (Dapr CLI template, version 1) with every path made absolute.</summary>
public sealed record RunFile(
    string FilePath,
    IReadOnlyList<RunApp> Apps,
    IReadOnlyList<Backend> Backends,
    IReadOnlyList<string> Warnings)
{
    /// <summary>PostgreSQL databases the run needs (<c>x-sidecar.databases</c>): one per service, Database per Service.</summary>
    public IReadOnlyList<string> Databases { get; init; } = [];

    /// <summary>
    /// <c>x-sidecar.restartApps</c>: an app that exits is started again while its sidecar keeps running, as Kubernetes
    /// restarts a crashed app container beside daprd (the Dapr CLI instead ends the run). For crash tests and demos.
    /// </summary>
    public bool RestartApps { get; init; }

    /// <summary><c>x-sidecar.outboxDelay</c>: the sidecars' outbox relay delay (daprd: 1 s).</summary>
    public TimeSpan? OutboxDelay { get; init; }

    /// <summary><c>x-sidecar.faults</c>: app id → fault spec (the <c>--sidecar-faults</c> syntax) for that app's sidecar.</summary>
    public IReadOnlyDictionary<string, Faults.FaultOptions> Faults { get; init; } = new Dictionary<string, Faults.FaultOptions>();

    /// <summary>The run file's folder: relative paths of <c>common</c> and <c>appDirPath</c> start here, and <c>.data/</c> lives here.</summary>
    public string Directory => Path.GetDirectoryName(FilePath)!;
}

/// <summary>One app of the run file, with <c>common</c> already merged in (the app's own values win).</summary>
public sealed record RunApp
{
    public required string AppId { get; init; }

    public required string AppDirPath { get; init; }

    /// <summary>Null when the app listens on no port (the sidecar then delivers nothing to it).</summary>
    public int? AppPort { get; init; }

    /// <summary>Null = pick a free port.</summary>
    public int? DaprHttpPort { get; init; }

    /// <summary>Null = pick a free port.</summary>
    public int? DaprGrpcPort { get; init; }

    /// <summary>Empty = run the sidecar alone, as the Dapr CLI does.</summary>
    public IReadOnlyList<string> Command { get; init; } = [];

    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<string> ResourcesPaths { get; init; } = [];

    public string? ConfigFile { get; init; }

    public string AppProtocol { get; init; } = "http";

    public string AppChannelAddress { get; init; } = "127.0.0.1";

    public string? AppHealthCheckPath { get; init; }

    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    public LogDestination AppLogDestination { get; init; } = LogDestination.FileAndConsole;

    public LogDestination DaprdLogDestination { get; init; } = LogDestination.FileAndConsole;
}

public enum LogDestination
{
    Console,
    File,
    FileAndConsole,
}

/// <summary>A backend server the runner starts for the run's components (the <c>x-sidecar.backends</c> extension).</summary>
public enum Backend
{
    Postgres,
    Redis,
}

/// <summary>A run file that cannot be used; the message names the file and the field.</summary>
public sealed class RunFileException(string file, string field, string message)
    : Exception(field.Length == 0 ? $"{file}: {message}" : $"{file}: {field}: {message}")
{
    public string File { get; } = file;

    public string Field { get; } = field;
}

/// <summary>
/// Reads the Dapr CLI's multi-app run template the way <c>dapr run -f</c> does (dapr/cli pkg/runfileconfig):
/// <c>version</c> and every app's <c>appDirPath</c> are required, <c>appID</c> defaults to the folder name,
/// <c>common</c> fills what an app leaves empty, <c>common</c> paths are relative to the run file's folder and an
/// app's paths to its <c>appDirPath</c>; resources and config fall back to <c>&lt;appDirPath&gt;/.dapr/</c>.
/// Unknown fields are ignored with a warning, because the CLI's YAML decoder ignores them too.
/// </summary>
public static class RunFileParser
{
    public const string DefaultFileName = "dapr.yaml";

    /// <summary>Our extension key: the CLI's non-strict decoder ignores it, so the file stays valid for real Dapr.</summary>
    public const string ExtensionKey = "x-sidecar";

    private static readonly HashSet<string> TopLevelFields = ["version", "common", "apps", "name", ExtensionKey];

    // Fields of the CLI's SharedRunConfig/RunConfig that this runner applies.
    private static readonly HashSet<string> SharedFields =
        ["resourcesPath", "resourcesPaths", "configFilePath", "appProtocol", "logLevel", "env", "appHealthCheckPath", "appLogDestination", "daprdLogDestination"];

    private static readonly HashSet<string> AppOnlyFields =
        ["appID", "appDirPath", "appPort", "daprHTTPPort", "daprGRPCPort", "command", "appChannelAddress"];

    // Valid for the CLI but without meaning for an in-process sidecar: accepted, with a warning that they are not applied.
    private static readonly HashSet<string> CliOnlyFields =
    [
        "apiListenAddresses", "enableProfiling", "appMaxConcurrency", "placementHostAddress", "schedulerHostAddress",
        "appSSL", "maxBodySize", "readBufferSize", "enableAppHealthCheck", "appHealthProbeInterval", "appHealthProbeTimeout",
        "appHealthThreshold", "enableApiLogging", "runtimePath", "daprPath", "profilePort", "metricsPort", "unixDomainSocket",
        "daprInternalGRPCPort", "containerImage", "containerImagePullPolicy", "createService",
    ];

    /// <summary>Parses a run file, or the <c>dapr.yaml</c> in a folder.</summary>
    public static RunFile Parse(string fileOrFolder)
    {
        var file = Path.GetFullPath(fileOrFolder);
        if (System.IO.Directory.Exists(file))
        {
            file = Path.Combine(file, DefaultFileName);
        }

        if (!File.Exists(file))
        {
            throw new RunFileException(file, "", "run file not found");
        }

        YamlMappingNode root;
        try
        {
            using var reader = new StreamReader(file);
            var stream = new YamlStream();
            stream.Load(reader);
            root = stream.Documents.Count == 1 && stream.Documents[0].RootNode is YamlMappingNode map
                ? map
                : throw new RunFileException(file, "", "must hold one YAML mapping");
        }
        catch (YamlException ex)
        {
            throw new RunFileException(file, "", $"invalid YAML at line {ex.Start.Line}: {ex.Message}");
        }

        return new Parser(file).Parse(root);
    }

    private sealed class Parser(string file)
    {
        private readonly List<string> _warnings = [];
        private readonly string _baseDirectory = Path.GetDirectoryName(file)!;

        public RunFile Parse(YamlMappingNode root)
        {
            WarnAboutFields(root, "", TopLevelFields);
            var version = Int(root, "version", "") ?? throw Error("version", "is required (use version: 1)");
            if (version != 1)
            {
                throw Error("version", $"version {version} is not supported (only 1)");
            }

            var common = Mapping(root, "common", "");
            if (common is not null)
            {
                WarnAboutFields(common, "common", SharedFields);
            }

            var commonResources = common is null ? [] : ResourcesPaths(common, "common", _baseDirectory);
            var commonConfig = common is null ? null : ExistingPath(common, "configFilePath", "common", _baseDirectory);
            var commonEnv = common is null ? new Dictionary<string, string>() : StringMap(common, "env", "common");

            var appNodes = Child(root, "apps") switch
            {
                YamlSequenceNode sequence when sequence.Children.Count > 0 => sequence.Children,
                null or YamlSequenceNode or YamlScalarNode { Value: null or "" or "~" or "null" } => throw Error("apps", "must list at least one app"),
                _ => throw Error("apps", "must be a list"),
            };

            var apps = new List<RunApp>();
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < appNodes.Count; i++)
            {
                var path = $"apps[{i}]";
                var node = appNodes[i] as YamlMappingNode ?? throw Error(path, "must be a mapping");
                var app = ParseApp(node, path, common, commonResources, commonConfig, commonEnv);
                if (!seen.TryAdd(app.AppId, i))
                {
                    throw Error($"{path}.appID", $"app id '{app.AppId}' is already used by apps[{seen[app.AppId]}]");
                }

                apps.Add(app);
            }

            var backends = ParseBackends(root);
            var databases = ParseDatabases(root, backends);
            var extension = Mapping(root, ExtensionKey, "");
            return new RunFile(file, apps, backends, _warnings)
            {
                Databases = databases,
                RestartApps = extension is not null && ParseBool(String(extension, "restartApps", ExtensionKey), $"{ExtensionKey}.restartApps"),
                OutboxDelay = extension is null ? null : ParseDuration(String(extension, "outboxDelay", ExtensionKey), $"{ExtensionKey}.outboxDelay"),
                Faults = extension is null ? new Dictionary<string, Faults.FaultOptions>() : ParseFaults(extension, apps),
            };
        }

        private RunApp ParseApp(
            YamlMappingNode node,
            string path,
            YamlMappingNode? common,
            IReadOnlyList<string> commonResources,
            string? commonConfig,
            IReadOnlyDictionary<string, string> commonEnv)
        {
            WarnAboutFields(node, path, [.. SharedFields, .. AppOnlyFields]);
            var dirText = String(node, "appDirPath", path);
            if (string.IsNullOrWhiteSpace(dirText))
            {
                throw Error($"{path}.appDirPath", "is required");
            }

            var appDir = Path.TrimEndingDirectorySeparator(Path.GetFullPath(ExpandHome(dirText), _baseDirectory));
            if (!System.IO.Directory.Exists(appDir))
            {
                throw Error($"{path}.appDirPath", $"folder '{appDir}' does not exist");
            }

            var appId = String(node, "appID", path) is { Length: > 0 } id ? id : Path.GetFileName(appDir);
            if (appId.Contains("||", StringComparison.Ordinal) || appId.Contains('.', StringComparison.Ordinal) || appId.Any(char.IsWhiteSpace))
            {
                throw Error($"{path}.appID", $"app id '{appId}' may not contain '||', '.' or spaces");
            }

            // Precedence as in the CLI: app's resourcesPaths > <appDirPath>/.dapr/resources > common's > none.
            var resources = ResourcesPaths(node, path, appDir);
            var localResources = Path.Combine(appDir, ".dapr", "resources");
            if (resources.Count == 0)
            {
                resources = System.IO.Directory.Exists(localResources) ? [localResources] : [.. commonResources];
            }

            var localConfig = Path.Combine(appDir, ".dapr", "config.yaml");
            var config = ExistingPath(node, "configFilePath", path, appDir)
                ?? (File.Exists(localConfig) ? localConfig : commonConfig);

            var env = new Dictionary<string, string>(commonEnv, StringComparer.Ordinal);
            foreach (var (key, value) in StringMap(node, "env", path))
            {
                env[key] = value;
            }

            var protocol = Shared(node, common, "appProtocol", path) ?? "http";
            if (!string.Equals(protocol, "http", StringComparison.OrdinalIgnoreCase))
            {
                throw Error($"{path}.appProtocol", $"'{protocol}' is not supported by this sidecar (only http)");
            }

            var healthPath = Shared(node, common, "appHealthCheckPath", path);
            if (healthPath is not null && !healthPath.StartsWith('/'))
            {
                healthPath = "/" + healthPath;
            }

            return new RunApp
            {
                AppId = appId,
                AppDirPath = appDir,
                AppPort = Port(node, "appPort", path),
                DaprHttpPort = Port(node, "daprHTTPPort", path),
                DaprGrpcPort = Port(node, "daprGRPCPort", path),
                Command = Strings(node, "command", path),
                Env = env,
                ResourcesPaths = resources,
                ConfigFile = config,
                AppProtocol = "http",
                AppChannelAddress = String(node, "appChannelAddress", path) is { Length: > 0 } address ? address : "127.0.0.1",
                AppHealthCheckPath = healthPath,
                LogLevel = ParseLogLevel(Shared(node, common, "logLevel", path), SharedPath(node, "logLevel", path)),
                AppLogDestination = ParseDestination(Shared(node, common, "appLogDestination", path), SharedPath(node, "appLogDestination", path), LogDestination.FileAndConsole),
                DaprdLogDestination = ParseDestination(Shared(node, common, "daprdLogDestination", path), SharedPath(node, "daprdLogDestination", path), LogDestination.FileAndConsole),
            };
        }

        private List<Backend> ParseBackends(YamlMappingNode root)
        {
            var extension = Mapping(root, ExtensionKey, "");
            if (extension is null)
            {
                return [];
            }

            WarnAboutFields(extension, ExtensionKey, ["backends", "databases", "restartApps", "outboxDelay", "faults"]);
            var backends = new List<Backend>();
            var names = Strings(extension, "backends", ExtensionKey);
            for (var i = 0; i < names.Count; i++)
            {
                var backend = ParseBackend(names[i]) ?? throw Error($"{ExtensionKey}.backends[{i}]", $"'{names[i]}' is not a backend (postgres, redis)");
                if (!backends.Contains(backend))
                {
                    backends.Add(backend);
                }
            }

            return backends;
        }

        private bool ParseBool(string? text, string field) => text?.ToLowerInvariant() switch
        {
            null or "" or "false" => false,
            "true" => true,
            _ => throw Error(field, $"'{text}' is not true or false"),
        };

        private TimeSpan? ParseDuration(string? text, string field) =>
            string.IsNullOrEmpty(text) ? null
            : Resources.GoDuration.TryParse(text, out var value) && value >= TimeSpan.Zero ? value
            : throw Error(field, $"'{text}' is not a duration (e.g. 100ms, 1s)");

        private Dictionary<string, Faults.FaultOptions> ParseFaults(YamlMappingNode extension, List<RunApp> apps)
        {
            var result = new Dictionary<string, Faults.FaultOptions>(StringComparer.Ordinal);
            foreach (var (appId, spec) in StringMap(extension, "faults", ExtensionKey))
            {
                var field = $"{ExtensionKey}.faults.{appId}";
                if (!apps.Any(a => a.AppId == appId))
                {
                    throw Error(field, $"'{appId}' is not an app of this run");
                }

                try
                {
                    result[appId] = Sidecar.Faults.FaultOptions.Parse(spec);
                }
                catch (Hosting.SidecarUsageException ex)
                {
                    throw Error(field, ex.Message);
                }
            }

            return result;
        }

        private List<string> ParseDatabases(YamlMappingNode root, List<Backend> backends)
        {
            if (Mapping(root, ExtensionKey, "") is not { } extension)
            {
                return [];
            }

            var names = Strings(extension, "databases", ExtensionKey);
            for (var i = 0; i < names.Count; i++)
            {
                // Lower-case identifiers: the name is also part of an environment variable (PLATFORM_POSTGRES_<NAME>_CONNECTION).
                if (!System.Text.RegularExpressions.Regex.IsMatch(names[i], "^[a-z][a-z0-9]{0,30}$"))
                {
                    throw Error($"{ExtensionKey}.databases[{i}]", $"'{names[i]}' is not a database name (lower-case letters and digits, starting with a letter)");
                }
            }

            if (names.Count > 0 && !backends.Contains(Backend.Postgres))
            {
                throw Error($"{ExtensionKey}.databases", "needs postgres in x-sidecar.backends");
            }

            return names.Distinct(StringComparer.Ordinal).ToList();
        }

        // A shared field: the app's own value, else common's (the CLI's mergeCommonAndAppsSharedRunConfig).
        private string? Shared(YamlMappingNode app, YamlMappingNode? common, string key, string path) =>
            String(app, key, path) is { Length: > 0 } own ? own : common is null ? null : String(common, key, "common");

        private static string SharedPath(YamlMappingNode app, string key, string path) =>
            Child(app, key) is null ? $"common.{key}" : $"{path}.{key}";

        private List<string> ResourcesPaths(YamlMappingNode node, string path, string baseDirectory)
        {
            // resourcesPaths is a list in the CLI (a single folder is accepted too); the deprecated resourcesPath
            // names one folder; the CLI merges both.
            var entries = Child(node, "resourcesPaths") is YamlScalarNode
                ? [("resourcesPaths", String(node, "resourcesPaths", path) ?? "")]
                : Strings(node, "resourcesPaths", path).Select((text, i) => ($"resourcesPaths[{i}]", text)).ToList();
            entries.Add(("resourcesPath", String(node, "resourcesPath", path) ?? ""));

            var result = new List<string>();
            foreach (var (field, text) in entries.Where(e => !string.IsNullOrWhiteSpace(e.Item2)))
            {
                var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(ExpandHome(text), baseDirectory));
                if (!System.IO.Directory.Exists(full))
                {
                    throw Error($"{path}.{field}", $"folder '{full}' does not exist");
                }

                // The same folder twice would load every component twice (a duplicate-name error).
                if (!result.Contains(full))
                {
                    result.Add(full);
                }
            }

            return result;
        }

        private string? ExistingPath(YamlMappingNode node, string key, string path, string baseDirectory)
        {
            if (String(node, key, path) is not { Length: > 0 } text)
            {
                return null;
            }

            var full = Path.GetFullPath(ExpandHome(text), baseDirectory);
            return File.Exists(full) ? full : throw Error($"{path}.{key}", $"file '{full}' does not exist");
        }

        private void WarnAboutFields(YamlMappingNode node, string path, HashSet<string> known)
        {
            foreach (var key in node.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? ""))
            {
                var field = path.Length == 0 ? key : $"{path}.{key}";
                if (CliOnlyFields.Contains(key) && path != ExtensionKey)
                {
                    _warnings.Add($"{file}: {field}: not applied by this runner (Dapr CLI only), ignored");
                }
                else if (!known.Contains(key))
                {
                    _warnings.Add($"{file}: {field}: unknown field, ignored");
                }
            }
        }

        private int? Port(YamlMappingNode node, string key, string path)
        {
            var value = Int(node, key, path);
            return value switch
            {
                null or 0 => null,
                > 0 and <= 65535 => value,
                _ => throw Error($"{path}.{key}", $"{value} is not a port number (1-65535)"),
            };
        }

        private int? Int(YamlMappingNode node, string key, string path)
        {
            var text = String(node, key, path);
            if (string.IsNullOrEmpty(text))
            {
                return null;
            }

            return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw Error(Join(path, key), $"'{text}' is not a whole number");
        }

        private string? String(YamlMappingNode node, string key, string path) => Child(node, key) switch
        {
            null => null,
            YamlScalarNode { Style: ScalarStyle.Plain, Value: "~" or "null" } => null,
            YamlScalarNode scalar => scalar.Value,
            _ => throw Error(Join(path, key), "must be a single value"),
        };

        private List<string> Strings(YamlMappingNode node, string key, string path)
        {
            switch (Child(node, key))
            {
                case null:
                case YamlScalarNode { Style: ScalarStyle.Plain, Value: "" or "~" or "null" }:
                    return [];
                case YamlSequenceNode sequence:
                    return sequence.Children.Select((item, i) => item is YamlScalarNode { Value: not null } scalar
                            ? scalar.Value
                            : throw Error($"{Join(path, key)}[{i}]", "must be a string"))
                        .ToList();
                default:
                    throw Error(Join(path, key), "must be a list of strings");
            }
        }

        private Dictionary<string, string> StringMap(YamlMappingNode node, string key, string path)
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            var map = Mapping(node, key, path);
            if (map is null)
            {
                return result;
            }

            foreach (var (k, v) in map.Children)
            {
                var name = (k as YamlScalarNode)?.Value ?? "";
                result[name] = v is YamlScalarNode scalar
                    ? scalar.Value ?? ""
                    : throw Error($"{Join(path, key)}.{name}", "must be a single value");
            }

            return result;
        }

        private YamlMappingNode? Mapping(YamlMappingNode node, string key, string path) => Child(node, key) switch
        {
            null => null,
            YamlMappingNode map => map,
            YamlScalarNode { Style: ScalarStyle.Plain, Value: "" or "~" or "null" } => null,
            _ => throw Error(Join(path, key), "must be a mapping"),
        };

        private static YamlDotNet.RepresentationModel.YamlNode? Child(YamlMappingNode node, string key) =>
            node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

        private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

        private RunFileException Error(string field, string message) => new(file, field, message);

        private LogLevel ParseLogLevel(string? value, string field) => value?.ToLowerInvariant() switch
        {
            null or "" or "info" => LogLevel.Information,
            "debug" => LogLevel.Debug,
            "warn" => LogLevel.Warning,
            "error" => LogLevel.Error,
            "fatal" or "panic" => LogLevel.Critical,
            _ => throw Error(field, $"'{value}' is not one of debug, info, warn, error, fatal"),
        };

        private LogDestination ParseDestination(string? value, string field, LogDestination fallback) => value switch
        {
            null or "" => fallback,
            "console" => LogDestination.Console,
            "file" => LogDestination.File,
            "fileAndConsole" => LogDestination.FileAndConsole,
            _ => throw Error(field, $"'{value}' is not one of console, file, fileAndConsole"),
        };
    }

    internal static Backend? ParseBackend(string name) => name.Trim().ToLowerInvariant() switch
    {
        "postgres" or "postgresql" => Backend.Postgres,
        "redis" => Backend.Redis,
        _ => null,
    };

    private static string ExpandHome(string path) =>
        path == "~" || path.StartsWith("~/", StringComparison.Ordinal)
            ? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) + path[1..]
            : path;
}
