using Microsoft.Extensions.Logging;
using Sidecar.Faults;
using Sidecar.Hosting;

namespace Sidecar.Tests.Resources;

/// <summary>daprd's flags and environment variables, and the fault-injection spec.</summary>
public sealed class SidecarCommandLineTests
{
    private static SidecarOptions Parse(string[] args, params (string Name, string Value)[] environment) =>
        SidecarCommandLine.Parse(args, name => environment.FirstOrDefault(e => e.Name == name).Value);

    [Fact]
    public void Parse_DaprdFlags_FillTheOptions()
    {
        var options = Parse(["--app-id", "orders", "--app-port", "5000", "--dapr-http-port", "3601", "--dapr-grpc-port", "50002",
            "--resources-path", "./components", "--config", "./config.yaml", "--log-level", "debug", "--app-protocol", "http",
            "--app-channel-address", "localhost"]);

        Assert.Equal("orders", options.AppId);
        Assert.Equal(5000, options.AppPort);
        Assert.Equal(3601, options.HttpPort);
        Assert.Equal(50002, options.GrpcPort);
        Assert.Equal(["./components"], options.ResourcesPaths);
        Assert.Equal("./config.yaml", options.ConfigFile);
        Assert.Equal(LogLevel.Debug, options.LogLevel);
        Assert.Equal("localhost", options.AppChannelAddress);
    }

    [Fact]
    public void Parse_FlagEqualsValueAndSingleDash_AreAccepted()
    {
        var options = Parse(["-app-id=orders", "--app-port=5000", "--dapr-http-port=3601"]);

        Assert.Equal("orders", options.AppId);
        Assert.Equal(5000, options.AppPort);
        Assert.Equal(3601, options.HttpPort);
    }

    [Fact]
    public void Parse_RepeatedResourcesPath_KeepsEveryPathInOrder()
    {
        var options = Parse(["--app-id", "a", "--resources-path", "one", "--resources-path=two", "--components-path", "three"]);

        Assert.Equal(["one", "two", "three"], options.ResourcesPaths);
    }

    [Fact]
    public void Parse_TokenAndNamespaceEnvironment_AreRead()
    {
        var options = Parse(["--app-id", "a"], ("DAPR_API_TOKEN", "api"), ("APP_API_TOKEN", "app"), ("NAMESPACE", "prod"));

        Assert.Equal("api", options.ApiToken);
        Assert.Equal("app", options.AppApiToken);
        Assert.Equal("prod", options.EffectiveNamespace);
    }

    [Fact]
    public void Parse_EmptyEnvironment_LeavesTokensOffAndNamespaceDefault()
    {
        var options = Parse(["--app-id", "a"], ("DAPR_API_TOKEN", ""));

        Assert.Null(options.ApiToken);
        Assert.Null(options.AppApiToken);
        Assert.Equal("default", options.EffectiveNamespace);
        Assert.Null(options.AppPort);
        Assert.Equal(3500, options.HttpPort);
        Assert.Equal(50001, options.GrpcPort);
    }

    [Theory]
    [InlineData("--app-port", "http")]
    [InlineData("--app-port", "70000")]
    [InlineData("--dapr-http-port", "-1")]
    [InlineData("--dapr-grpc-port", "")]
    public void Parse_BadPort_IsAUsageError(string flag, string value)
    {
        var error = Assert.Throws<SidecarUsageException>(() => Parse(["--app-id", "a", flag, value]));

        Assert.Contains(flag, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_PortsAndAppIdFromEnvironment_AreUsedAndFlagsWin()
    {
        var options = Parse(["--dapr-http-port", "3700"], ("APP_ID", "env-app"), ("APP_PORT", "5001"), ("DAPR_HTTP_PORT", "3601"), ("DAPR_GRPC_PORT", "50005"));

        Assert.Equal("env-app", options.AppId);
        Assert.Equal(5001, options.AppPort);
        Assert.Equal(3700, options.HttpPort);
        Assert.Equal(50005, options.GrpcPort);
    }

    [Theory]
    [InlineData("DAPR_HTTP_PORT", "http")]
    [InlineData("APP_PORT", "99999")]
    public void Parse_BadPortInEnvironment_IsAUsageError(string name, string value)
    {
        var error = Assert.Throws<SidecarUsageException>(() => Parse(["--app-id", "a"], (name, value)));

        Assert.Contains(name, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--app-port", "5000" }, "--app-id is required")]
    [InlineData(new[] { "--app-id", "a.b" }, "may not contain")]
    [InlineData(new[] { "--app-id", "a", "--unknown" }, "unknown flag")]
    [InlineData(new[] { "--app-id" }, "needs a value")]
    [InlineData(new[] { "--app-id", "a", "--app-protocol", "grpc" }, "only http")]
    [InlineData(new[] { "--app-id", "a", "--log-level", "loud" }, "--log-level")]
    public void Parse_BadArguments_AreUsageErrors(string[] args, string message)
    {
        var error = Assert.Throws<SidecarUsageException>(() => Parse(args));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SidecarFaults_AreParsedIntoTheOptions()
    {
        var options = Parse(["--app-id", "a", "--sidecar-faults", "seed=7,invokeFail=1:503"]);

        Assert.Equal(7, options.Faults!.Seed);
        Assert.Equal(1.0, options.Faults.InvokeFailProbability);
    }

    [Fact]
    public void FaultOptionsParse_FullSpec_SetsEveryPart()
    {
        var faults = FaultOptions.Parse("seed=42, duplicate=0.2, delay=0.1:500ms, reorder=0.3, invokeFail=0.5:502, invokeFailApps=payments|orders, outboxCrash=2");

        Assert.Equal(42, faults.Seed);
        Assert.Equal(0.2, faults.DuplicateProbability);
        Assert.Equal(0.1, faults.DelayProbability);
        Assert.Equal(TimeSpan.FromMilliseconds(500), faults.Delay);
        Assert.Equal(0.3, faults.ReorderProbability);
        Assert.Equal(0.5, faults.InvokeFailProbability);
        Assert.Equal(502, faults.InvokeFailStatus);
        Assert.Equal(["payments", "orders"], faults.InvokeFailApps);
        Assert.Equal(2, faults.OutboxCrashCount);
    }

    [Fact]
    public void FaultOptionsParse_OmittedParts_KeepDefaults()
    {
        var faults = FaultOptions.Parse("invokeFail=0.25");

        Assert.Equal(503, faults.InvokeFailStatus);
        Assert.Equal(TimeSpan.FromMilliseconds(200), faults.Delay);
        Assert.Empty(faults.InvokeFailApps);
        Assert.Equal(0, faults.Seed);
    }

    [Theory]
    [InlineData("explode=1", "unknown fault")]
    [InlineData("seed", "not key=value")]
    [InlineData("duplicate=1.5", "probability")]
    [InlineData("delay=0.1:soon", "not a duration")]
    [InlineData("invokeFail=1:bad", "not an integer")]
    [InlineData("invokeFail=1:42", "HTTP status")]
    [InlineData("delay=0.1:-5ms", "not a duration")]
    public void FaultOptionsParse_BadSpec_IsAUsageError(string spec, string message)
    {
        var error = Assert.Throws<SidecarUsageException>(() => FaultOptions.Parse(spec));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
