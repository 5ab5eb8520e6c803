using Sidecar.Runner;

namespace Sidecar.Tests.Runner;

public sealed class BackendSelectionTests
{
    private static readonly RunFile RedisRun = new("/tmp/dapr.yaml", [], [Backend.Redis], []);

    [Fact]
    public void Requested_NoEnvironmentVariable_TakesTheRunFilesList()
    {
        Assert.Equal([Backend.Redis], BackendServers.Requested(RedisRun, _ => null));
    }

    [Theory]
    [InlineData("postgres, redis", new[] { Backend.Postgres, Backend.Redis })]
    [InlineData("PostgreSQL", new[] { Backend.Postgres })]
    [InlineData("", new Backend[0])]
    public void Requested_SidecarBackendsVariable_OverridesTheRunFile(string value, Backend[] expected)
    {
        Assert.Equal(expected, BackendServers.Requested(RedisRun, name => name == "SIDECAR_BACKENDS" ? value : null));
    }

    [Fact]
    public void Requested_UnknownBackendInVariable_ErrorNamesTheVariable()
    {
        var error = Assert.Throws<RunnerException>(() => BackendServers.Requested(RedisRun, name => name == "SIDECAR_BACKENDS" ? "redis,kafka" : null));

        Assert.Equal("SIDECAR_BACKENDS: 'kafka' is not a backend (postgres, redis)", error.Message);
    }
}
