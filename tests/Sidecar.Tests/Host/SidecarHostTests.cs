using System.Diagnostics;
using System.Globalization;
using Dapr;
using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using Platform.Testing;

namespace Sidecar.Tests.Host;

public sealed class SidecarHostTests
{
    [Fact]
    public async Task Healthz_NoAppPort_AnswersNoContentOnBothEndpoints()
    {
        await using var sidecar = await TestSidecar.StartAsync("health-app", "");
        using var http = new HttpClient();

        var outbound = await http.GetAsync($"{sidecar.HttpEndpoint}/v1.0/healthz/outbound", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NoContent, outbound.StatusCode);
        await Eventually.MatchAsync(
            async () => (await http.GetAsync($"{sidecar.HttpEndpoint}/v1.0/healthz", TestContext.Current.CancellationToken)).StatusCode,
            status => status == HttpStatusCode.NoContent,
            TimeSpan.FromSeconds(10),
            "healthz reports ready");
        Assert.True(await sidecar.Client.CheckHealthAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Healthz_AppNotListening_ReportsNotReadyButOutboundReady()
    {
        var unusedPort = ProcessRunner.FreePort();
        await using var sidecar = await TestSidecar.StartAsync("waiting-app", "", appPort: unusedPort);
        using var http = new HttpClient();

        var health = await http.GetAsync($"{sidecar.HttpEndpoint}/v1.0/healthz", TestContext.Current.CancellationToken);
        var outbound = await http.GetAsync($"{sidecar.HttpEndpoint}/v1.0/healthz/outbound", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.InternalServerError, health.StatusCode);
        Assert.Contains("ERR_HEALTH_NOT_READY", await health.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, outbound.StatusCode);
    }

    [Fact]
    public async Task GetMetadata_ReturnsAppIdAndRegisteredComponents()
    {
        await using var sidecar = await TestSidecar.StartAsync("meta-app", "");

        var metadata = await sidecar.Client.GetMetadataAsync(TestContext.Current.CancellationToken);

        Assert.Equal("meta-app", metadata.Id);
    }

    [Fact]
    public async Task UnsupportedGrpcMethod_AnswersUnimplementedNamingTheMethod()
    {
        await using var sidecar = await TestSidecar.StartAsync("unimpl-app", "");
        using var channel = GrpcChannel.ForAddress(sidecar.GrpcEndpoint);
        var client = new global::Dapr.Client.Autogen.Grpc.v1.Dapr.DaprClient(channel);

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.GetSecretAsync(new global::Dapr.Client.Autogen.Grpc.v1.GetSecretRequest { StoreName = "x", Key = "y" }, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
        Assert.Contains("dapr.proto.runtime.v1.Dapr/GetSecret", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiToken_MissingOrWrong_IsRefusedAndRightTokenAccepted()
    {
        await using var sidecar = await TestSidecar.StartAsync("token-app", "", configure: o => o with { ApiToken = "s3cret" });
        using var noToken = sidecar.CreateClient(apiToken: null);
        using var wrongToken = sidecar.CreateClient(apiToken: "wrong");

        // The SDK wraps gRPC errors of GetMetadata in DaprException.
        var missing = Assert.IsType<RpcException>((await Assert.ThrowsAsync<DaprException>(() => noToken.GetMetadataAsync(TestContext.Current.CancellationToken))).InnerException);
        var mismatch = Assert.IsType<RpcException>((await Assert.ThrowsAsync<DaprException>(() => wrongToken.GetMetadataAsync(TestContext.Current.CancellationToken))).InnerException);
        var accepted = await sidecar.Client.GetMetadataAsync(TestContext.Current.CancellationToken);

        Assert.Equal(StatusCode.Unauthenticated, missing.StatusCode);
        Assert.Equal("missing api token in request metadata", missing.Status.Detail);
        Assert.Equal(StatusCode.Unauthenticated, mismatch.StatusCode);
        Assert.Equal("authentication error: api token mismatch", mismatch.Status.Detail);
        Assert.Equal("token-app", accepted.Id);
    }

    [Fact]
    public async Task ApiToken_HttpApi_RefusesWithoutTokenButHealthzStaysOpen()
    {
        await using var sidecar = await TestSidecar.StartAsync("token-http-app", "", configure: o => o with { ApiToken = "s3cret" });
        using var http = new HttpClient();

        var invoke = await http.GetAsync($"{sidecar.HttpEndpoint}/v1.0/invoke/token-http-app/method/ping", TestContext.Current.CancellationToken);
        var health = await http.GetAsync($"{sidecar.HttpEndpoint}/v1.0/healthz/outbound", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, invoke.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, health.StatusCode);
    }

    [Fact]
    public async Task Standalone_JobsFileUnreadable_ExitsOneNamingTheFile()
    {
        var root = Directory.CreateTempSubdirectory("sidecar-exit-");
        try
        {
            var data = Directory.CreateDirectory(Path.Combine(root.FullName, "data")).FullName;
            var resources = Directory.CreateDirectory(Path.Combine(root.FullName, "resources")).FullName;
            await File.WriteAllTextAsync(Path.Combine(data, "jobs.json"), "not json", TestContext.Current.CancellationToken);
            var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[]
            {
                Path.Combine(AppContext.BaseDirectory, "Sidecar.dll"), "--app-id", "doomed",
                "--dapr-grpc-port", ProcessRunner.FreePort().ToString(CultureInfo.InvariantCulture), "--dapr-http-port", ProcessRunner.FreePort().ToString(CultureInfo.InvariantCulture),
                "--resources-path", resources, "--sidecar-data-dir", data,
            })
            {
                info.ArgumentList.Add(argument);
            }

            using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start Sidecar.dll");
            var errors = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            _ = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            try
            {
                await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
            }
            finally
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
            }

            Assert.Equal(1, process.ExitCode);
            Assert.Contains($"error: {Path.Combine(data, "jobs.json")} is not a job list", await errors, StringComparison.Ordinal);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }
}
