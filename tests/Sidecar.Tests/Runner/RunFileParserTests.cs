using Microsoft.Extensions.Logging;
using Sidecar.Runner;

namespace Sidecar.Tests.Runner;

public sealed class RunFileParserTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("runfile-");

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public void Parse_CommonAndApps_MergesCommonAndResolvesPathsLikeTheDaprCli()
    {
        Folder("shared/resources");
        Folder("apps/orders/components");
        Folder("apps/catalog");
        File.WriteAllText(Path.Combine(_root.FullName, "shared/config.yaml"), "kind: Configuration");
        var file = Write("dapr.yaml", """
            version: 1
            common:
              resourcesPaths: [./shared/resources]
              configFilePath: shared/config.yaml
              logLevel: debug
              appHealthCheckPath: healthz
              env:
                SHARED: common
                OVERRIDE: common
            apps:
              - appID: orders
                appDirPath: ./apps/orders/
                appPort: 5001
                daprHTTPPort: 3501
                daprGRPCPort: 50011
                resourcesPath: components
                command: ["dotnet", "run"]
                env:
                  OVERRIDE: app
                  DEBUG: true
              - appDirPath: apps/catalog
                logLevel: warn
                appLogDestination: console
            """);

        var run = RunFileParser.Parse(file);

        Assert.Equal(_root.FullName, run.Directory);
        Assert.Empty(run.Warnings);
        var orders = run.Apps[0];
        Assert.Equal("orders", orders.AppId);
        Assert.Equal(Path.Combine(_root.FullName, "apps/orders"), orders.AppDirPath);
        Assert.Equal((5001, 3501, 50011), (orders.AppPort!.Value, orders.DaprHttpPort!.Value, orders.DaprGrpcPort!.Value));
        Assert.Equal(["dotnet", "run"], orders.Command);
        Assert.Equal([Path.Combine(_root.FullName, "apps/orders/components")], orders.ResourcesPaths);
        Assert.Equal(Path.Combine(_root.FullName, "shared/config.yaml"), orders.ConfigFile);
        Assert.Equal("common", orders.Env["SHARED"]);
        Assert.Equal("app", orders.Env["OVERRIDE"]);
        Assert.Equal("true", orders.Env["DEBUG"]);
        Assert.Equal(LogLevel.Debug, orders.LogLevel);
        Assert.Equal("/healthz", orders.AppHealthCheckPath);

        var catalog = run.Apps[1];
        Assert.Equal("catalog", catalog.AppId);
        Assert.Null(catalog.AppPort);
        Assert.Null(catalog.DaprHttpPort);
        Assert.Empty(catalog.Command);
        Assert.Equal([Path.Combine(_root.FullName, "shared/resources")], catalog.ResourcesPaths);
        Assert.Equal(LogLevel.Warning, catalog.LogLevel);
        Assert.Equal(LogDestination.Console, catalog.AppLogDestination);
        Assert.Equal(LogDestination.FileAndConsole, catalog.DaprdLogDestination);
    }

    [Fact]
    public void Parse_Folder_ReadsTheDaprYamlInIt()
    {
        Folder("app");
        Write("dapr.yaml", "version: 1\napps:\n  - appDirPath: app\n");

        var run = RunFileParser.Parse(_root.FullName);

        Assert.Equal(Path.Combine(_root.FullName, "dapr.yaml"), run.FilePath);
        Assert.Equal("app", Assert.Single(run.Apps).AppId);
    }

    [Fact]
    public void Parse_AppWithDotDaprFolder_UsesItsResourcesAndConfigBeforeCommon()
    {
        Folder("common-resources");
        Folder("app/.dapr/resources");
        File.WriteAllText(Path.Combine(_root.FullName, "app/.dapr/config.yaml"), "kind: Configuration");
        var file = Write("dapr.yaml", "version: 1\ncommon:\n  resourcesPath: common-resources\napps:\n  - appDirPath: app\n");

        var app = Assert.Single(RunFileParser.Parse(file).Apps);

        Assert.Equal([Path.Combine(_root.FullName, "app/.dapr/resources")], app.ResourcesPaths);
        Assert.Equal(Path.Combine(_root.FullName, "app/.dapr/config.yaml"), app.ConfigFile);
    }

    [Fact]
    public void Parse_ResourcesPathsAndDeprecatedResourcesPath_MergeWithoutDuplicates()
    {
        Folder("app/components");
        Folder("app/resiliency");
        var file = Write("dapr.yaml", """
            version: 1
            apps:
              - appDirPath: app
                resourcesPaths: [components, ./resiliency/]
                resourcesPath: ./components
            """);

        var app = Assert.Single(RunFileParser.Parse(file).Apps);

        Assert.Equal([Path.Combine(_root.FullName, "app/components"), Path.Combine(_root.FullName, "app/resiliency")], app.ResourcesPaths);
    }

    [Fact]
    public void Parse_UnknownAndCliOnlyFields_AreIgnoredWithWarnings()
    {
        Folder("app");
        var file = Write("dapr.yaml", """
            version: 1
            name: shop
            colour: blue
            apps:
              - appDirPath: app
                metricsPort: 9090
                flavour: vanilla
            """);

        var run = RunFileParser.Parse(file);

        Assert.Equal(3, run.Warnings.Count);
        Assert.Contains(run.Warnings, w => w.Contains("colour: unknown field", StringComparison.Ordinal));
        Assert.Contains(run.Warnings, w => w.Contains("apps[0].flavour: unknown field", StringComparison.Ordinal));
        Assert.Contains(run.Warnings, w => w.Contains("apps[0].metricsPort: not applied", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_SidecarExtension_ListsTheBackends()
    {
        Folder("app");
        var file = Write("dapr.yaml", "version: 1\napps:\n  - appDirPath: app\nx-sidecar:\n  backends: [redis, postgres, redis]\n");

        var run = RunFileParser.Parse(file);

        Assert.Equal([Backend.Redis, Backend.Postgres], run.Backends);
        Assert.Empty(run.Warnings);
    }

    [Fact]
    public void Parse_SidecarDatabases_ListsThemOnce()
    {
        Folder("app");
        var file = Write("dapr.yaml", "version: 1\napps:\n  - appDirPath: app\nx-sidecar:\n  backends: [postgres]\n  databases: [orders, payments, orders]\n");

        var run = RunFileParser.Parse(file);

        Assert.Equal(["orders", "payments"], run.Databases);
        Assert.Empty(run.Warnings);
    }

    [Fact]
    public void Parse_SidecarRunSettings_RestartOutboxDelayAndFaultsPerApp()
    {
        Folder("app");
        var file = Write("dapr.yaml", "version: 1\napps:\n  - appDirPath: app\n    appID: pay\nx-sidecar:\n  restartApps: true\n  outboxDelay: 150ms\n  faults:\n    pay: \"seed=7,duplicate=0.5\"\n");

        var run = RunFileParser.Parse(file);

        Assert.True(run.RestartApps);
        Assert.Equal(TimeSpan.FromMilliseconds(150), run.OutboxDelay);
        Assert.Equal(7, run.Faults["pay"].Seed);
        Assert.Equal(0.5, run.Faults["pay"].DuplicateProbability);
        Assert.Empty(run.Warnings);
    }

    [Fact]
    public void Parse_NoSidecarRunSettings_DaprCliDefaults()
    {
        Folder("app");
        var file = Write("dapr.yaml", "version: 1\napps:\n  - appDirPath: app\n");

        var run = RunFileParser.Parse(file);

        Assert.False(run.RestartApps);
        Assert.Null(run.OutboxDelay);
        Assert.Empty(run.Faults);
    }

    [Theory]
    [InlineData("apps:\n  - appDirPath: app\n", "version", "is required")]
    [InlineData("version: 2\napps:\n  - appDirPath: app\n", "version", "not supported")]
    [InlineData("version: 1\n", "apps", "at least one app")]
    [InlineData("version: 1\napps:\n  - appID: a\n", "apps[0].appDirPath", "is required")]
    [InlineData("version: 1\napps:\n  - appDirPath: missing\n", "apps[0].appDirPath", "does not exist")]
    [InlineData("version: 1\napps:\n  - appDirPath: app\n  - appDirPath: ./app/\n", "apps[1].appID", "already used by apps[0]")]
    [InlineData("version: 1\napps:\n  - appDirPath: app\n    appPort: http\n", "apps[0].appPort", "not a whole number")]
    [InlineData("version: 1\napps:\n  - appDirPath: app\n    daprHTTPPort: 70000\n", "apps[0].daprHTTPPort", "not a port number")]
    [InlineData("version: 1\napps:\n  - appDirPath: app\n    daprGRPCPort: -5\n", "apps[0].daprGRPCPort", "not a port number")]
    [InlineData("version: 1\napps:\n  - appDirPath: app\n    appID: my.app\n", "apps[0].appID", "may not contain")]
    [InlineData("version: 1\napps:\n  - appDirPath: app\n    command: dotnet run\n", "apps[0].command", "must be a list")]
    [InlineData("version: 1\napps:\n  - appDirPath: app\n    resourcesPaths: [nope]\n", "apps[0].resourcesPaths[0]", "does not exist")]
    [InlineData("version: 1\ncommon:\n  configFilePath: nope.yaml\napps:\n  - appDirPath: app\n", "common.configFilePath", "does not exist")]
    [InlineData("version: 1\napps:\n  - appDirPath: app\n    appProtocol: grpc\n", "apps[0].appProtocol", "only http")]
    [InlineData("version: 1\ncommon:\n  logLevel: loud\napps:\n  - appDirPath: app\n", "common.logLevel", "not one of")]
    [InlineData("version: 1\napps:\n  - appDirPath: app\n    appLogDestination: printer\n", "apps[0].appLogDestination", "not one of")]
    [InlineData("version: 1\napps:\n  - appDirPath: app\n    env: [A]\n", "apps[0].env", "must be a mapping")]
    [InlineData("version: 1\napps:\n  - appDirPath: app\nx-sidecar:\n  backends: [mongo]\n", "x-sidecar.backends[0]", "not a backend")]
    [InlineData("version: 1\napps:\n  - appDirPath: app\nx-sidecar:\n  backends: [postgres]\n  databases: [Orders-DB]\n", "x-sidecar.databases[0]", "not a database name")]
    [InlineData("version: 1\napps:\n  - appDirPath: app\nx-sidecar:\n  backends: [redis]\n  databases: [orders]\n", "x-sidecar.databases", "needs postgres")]
    [InlineData("version: 1\napps:\n  - appDirPath: app\nx-sidecar:\n  restartApps: maybe\n", "x-sidecar.restartApps", "not true or false")]
    [InlineData("version: 1\napps:\n  - appDirPath: app\nx-sidecar:\n  outboxDelay: soon\n", "x-sidecar.outboxDelay", "not a duration")]
    [InlineData("version: 1\napps:\n  - appDirPath: app\nx-sidecar:\n  faults:\n    other: \"seed=1\"\n", "x-sidecar.faults.other", "not an app of this run")]
    [InlineData("version: 1\napps:\n  - appDirPath: app\nx-sidecar:\n  faults:\n    app: \"duplicate\"\n", "x-sidecar.faults.app", "not key=value")]
    [InlineData("version: 1\napps:\n  - appDirPath: app\nx-sidecar:\n  faults:\n    app: \"invokeDelay=soon\"\n", "x-sidecar.faults.app", "not a positive duration")]
    public void Parse_InvalidField_ErrorNamesFileAndField(string yaml, string field, string message)
    {
        Folder("app");
        var file = Write("run.yaml", yaml);

        var error = Assert.Throws<RunFileException>(() => RunFileParser.Parse(file));

        Assert.Equal(file, error.File);
        Assert.Equal(field, error.Field);
        Assert.StartsWith($"{file}: {field}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_InvalidYaml_ErrorNamesFileAndLine()
    {
        var file = Write("dapr.yaml", "version: 1\napps: [\n");

        var error = Assert.Throws<RunFileException>(() => RunFileParser.Parse(file));

        Assert.Equal(file, error.File);
        Assert.Contains("invalid YAML at line", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_FolderWithoutDaprYaml_ErrorNamesTheExpectedFile()
    {
        var error = Assert.Throws<RunFileException>(() => RunFileParser.Parse(_root.FullName));

        Assert.Equal(Path.Combine(_root.FullName, "dapr.yaml"), error.File);
        Assert.Contains("not found", error.Message, StringComparison.Ordinal);
    }

    private void Folder(string relative) => Directory.CreateDirectory(Path.Combine(_root.FullName, relative));

    private string Write(string name, string content)
    {
        var path = Path.Combine(_root.FullName, name);
        File.WriteAllText(path, content);
        return path;
    }
}
