// CS0618: InvokeMethodWithResponseAsync is obsolete in the SDK, but apps still call it; testing that path is the point.
#pragma warning disable CS0618
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapr.Client;

namespace Sidecar.Tests.Invocation;

/// <summary>HTTP service invocation between two sidecars with the real Dapr SDK: what passes through, and the errors.</summary>
public sealed class ServiceInvocationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<EchoReply> ReadEchoAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<EchoReply>(JsonSerializerOptions.Web, Ct))!;
    }

    [Fact]
    public async Task InvokeHttpClient_GetWithQuery_ReachesCalleeAppUnchanged()
    {
        await using var rig = await InvocationRig.StartAsync();
        using var http = DaprClient.CreateInvokeHttpClient("callee", rig.Caller.HttpEndpoint);

        var echo = await ReadEchoAsync(await http.GetAsync("http://callee/echo/orders/42?a=1&b=two%20words", Ct));

        Assert.Equal("GET", echo.Method);
        Assert.Equal("/echo/orders/42", echo.Path);
        Assert.Equal("?a=1&b=two%20words", echo.Query);
    }

    [Fact]
    public async Task InvokeMethodWithResponse_PostJsonBody_ReachesCalleeWithContentType()
    {
        await using var rig = await InvocationRig.StartAsync();
        var request = rig.Caller.Client.CreateInvokeMethodRequest(HttpMethod.Post, "callee", "echo/create", [new("mode", "fast")], new { Name = "widget", Count = 3 });

        var echo = await ReadEchoAsync(await rig.Caller.Client.InvokeMethodWithResponseAsync(request, Ct));

        Assert.Equal("POST", echo.Method);
        Assert.Equal("?mode=fast", echo.Query);
        Assert.Equal("""{"name":"widget","count":3}""", echo.Body);
        Assert.StartsWith("application/json", echo.Headers["content-type"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(201)]
    [InlineData(404)]
    [InlineData(409)]
    [InlineData(500)]
    [InlineData(503)]
    public async Task InvokeMethodWithResponse_AppStatus_PassesStatusHeadersAndBodyThrough(int status)
    {
        await using var rig = await InvocationRig.StartAsync();
        var request = rig.Caller.Client.CreateInvokeMethodRequest(HttpMethod.Get, "callee", $"status/{status}");

        using var response = await rig.Caller.Client.InvokeMethodWithResponseAsync(request, Ct);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal($"from-app-{status}", Assert.Single(response.Headers.GetValues("x-app-header")));
        Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Equal($"status {status}", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task DaprAppIdHeader_PathIsTheMethod_ReachesCallee()
    {
        await using var rig = await InvocationRig.StartAsync();
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Put, $"{rig.Caller.HttpEndpoint}/echo/by-header?x=1") { Content = new StringContent("payload") };
        request.Headers.Add("dapr-app-id", "callee");

        var echo = await ReadEchoAsync(await http.SendAsync(request, Ct));

        Assert.Equal("PUT", echo.Method);
        Assert.Equal("/echo/by-header", echo.Path);
        Assert.Equal("?x=1", echo.Query);
        Assert.Equal("payload", echo.Body);
        Assert.False(echo.Headers.ContainsKey("dapr-app-id"));
    }

    [Fact]
    public async Task BasicAuthAppId_PathIsTheMethod_ReachesCalleeWithoutTheCredentials()
    {
        await using var rig = await InvocationRig.StartAsync();
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{rig.Caller.HttpEndpoint}/echo/by-basic-auth");
        request.Headers.Authorization = new("Basic", Convert.ToBase64String("dapr-app-id:callee"u8.ToArray()));

        var echo = await ReadEchoAsync(await http.SendAsync(request, Ct));

        Assert.Equal("/echo/by-basic-auth", echo.Path);
        Assert.False(echo.Headers.ContainsKey("authorization"));
    }

    [Fact]
    public async Task SidecarToSidecarPath_WithoutHopToken_IsRefusedBeforeTheApp()
    {
        await using var rig = await InvocationRig.StartAsync(configureCallee: o => o with { ApiToken = "callee-token" });
        using var http = new HttpClient();

        using var direct = await http.GetAsync($"{rig.Callee.HttpEndpoint}/_sidecar/invoke/attempts/sneaky", Ct);
        using var forged = new HttpRequestMessage(HttpMethod.Get, $"{rig.Callee.HttpEndpoint}/_sidecar/invoke/attempts/sneaky");
        forged.Headers.Add("x-sidecar-hop-token", "guess");
        using var forgedResponse = await http.SendAsync(forged, Ct);
        var viaCaller = await ReadEchoAsync(await http.GetAsync($"{rig.Caller.HttpEndpoint}/v1.0/invoke/callee/method/echo/x", Ct));

        Assert.Equal(HttpStatusCode.Unauthorized, direct.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, forgedResponse.StatusCode);
        Assert.Equal(0, rig.AttemptsOf("sneaky"));
        Assert.False(viaCaller.Headers.ContainsKey("x-sidecar-hop-token"));
    }

    [Fact]
    public async Task Invoke_CallerAndCalleeHeaders_ReachAppButApiTokenDoesNot()
    {
        await using var rig = await InvocationRig.StartAsync(configureCaller: o => o with { ApiToken = "caller-token" });
        var request = rig.Caller.Client.CreateInvokeMethodRequest(HttpMethod.Get, "callee", "echo/headers");
        request.Headers.Add("dapr-caller-app-id", "spoofed");
        request.Headers.Add("x-custom", "kept");

        var echo = await ReadEchoAsync(await rig.Caller.Client.InvokeMethodWithResponseAsync(request, Ct));

        Assert.Equal("caller", echo.Headers["dapr-caller-app-id"]);
        Assert.Equal("callee", echo.Headers["dapr-callee-app-id"]);
        Assert.Equal("default", echo.Headers["dapr-caller-namespace"]);
        Assert.Equal("kept", echo.Headers["x-custom"]);
        Assert.False(echo.Headers.ContainsKey("dapr-api-token"));
    }

    [Fact]
    public async Task Invoke_CalleeHasAppApiToken_AppReceivesItAsDaprApiToken()
    {
        await using var rig = await InvocationRig.StartAsync(
            configureCaller: o => o with { ApiToken = "caller-token" },
            configureCallee: o => o with { AppApiToken = "app-secret" });
        var request = rig.Caller.Client.CreateInvokeMethodRequest(HttpMethod.Get, "callee", "echo/token");

        var echo = await ReadEchoAsync(await rig.Caller.Client.InvokeMethodWithResponseAsync(request, Ct));

        Assert.Equal("app-secret", echo.Headers["dapr-api-token"]);
    }

    [Fact]
    public async Task Invoke_CallerSidecarHasApiToken_RequiresItOnTheHttpApi()
    {
        await using var rig = await InvocationRig.StartAsync(configureCaller: o => o with { ApiToken = "s3cret" });
        using var noToken = DaprClient.CreateInvokeHttpClient("callee", rig.Caller.HttpEndpoint);
        using var wrongToken = DaprClient.CreateInvokeHttpClient("callee", rig.Caller.HttpEndpoint, "wrong");
        using var rightToken = DaprClient.CreateInvokeHttpClient("callee", rig.Caller.HttpEndpoint, "s3cret");

        using var missing = await noToken.GetAsync("http://callee/echo/x", Ct);
        using var mismatch = await wrongToken.GetAsync("http://callee/echo/x", Ct);
        using var accepted = await rightToken.GetAsync("http://callee/echo/x", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, mismatch.StatusCode);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Fact]
    public async Task Invoke_UnknownApp_Answers500WithErrDirectInvoke()
    {
        await using var rig = await InvocationRig.StartAsync();
        var request = rig.Caller.Client.CreateInvokeMethodRequest(HttpMethod.Get, "nobody", "echo/x");

        using var response = await rig.Caller.Client.InvokeMethodWithResponseAsync(request, Ct);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("ERR_DIRECT_INVOKE", error.RootElement.GetProperty("errorCode").GetString());
        Assert.StartsWith("failed to invoke, id: nobody", error.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_AppIdWithOwnNamespace_ReachesCallee()
    {
        await using var rig = await InvocationRig.StartAsync();
        using var http = new HttpClient();

        var echo = await ReadEchoAsync(await http.GetAsync($"{rig.Caller.HttpEndpoint}/v1.0/invoke/callee.default/method/echo/ns", Ct));
        using var otherNamespace = await http.GetAsync($"{rig.Caller.HttpEndpoint}/v1.0/invoke/callee.prod/method/echo/ns", Ct);

        Assert.Equal("callee", echo.Headers["dapr-callee-app-id"]);
        Assert.Equal(HttpStatusCode.InternalServerError, otherNamespace.StatusCode);
    }

    [Fact]
    public async Task Invoke_AppIdEscapingTheRegistryFolder_IsUnknown()
    {
        await using var rig = await InvocationRig.StartAsync();
        var entryName = $"escaped-{Guid.NewGuid():N}";
        var outside = Path.Combine(Path.GetTempPath(), entryName + ".json");
        await File.WriteAllTextAsync(outside, $$"""{"appId":"x","httpPort":{{rig.Callee.Options.HttpPort}}}""", Ct);
        try
        {
            using var http = new HttpClient();

            using var response = await http.GetAsync($"{rig.Caller.HttpEndpoint}/v1.0/invoke/..%2F{entryName}/method/echo/x", Ct);

            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
            Assert.Contains("no name-resolution entry", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(outside);
        }
    }

    [Fact]
    public async Task Invoke_OwnAppId_ReachesOwnApp()
    {
        await using var rig = await InvocationRig.StartAsync();
        var request = rig.Callee.Client.CreateInvokeMethodRequest(HttpMethod.Get, "callee", "echo/self");

        var echo = await ReadEchoAsync(await rig.Callee.Client.InvokeMethodWithResponseAsync(request, Ct));

        Assert.Equal("/echo/self", echo.Path);
        Assert.Equal("callee", echo.Headers["dapr-caller-app-id"]);
    }

    [Theory]
    [InlineData("echo/a%20b", "/echo/a b")]
    [InlineData("echo/100%25", "/echo/100%")]
    [InlineData("echo/caf%C3%A9", "/echo/café")]
    [InlineData("echo/a%2Fb", "/echo/a%2Fb")]
    public async Task Invoke_EscapedMethod_ReachesAppWithTheSamePath(string method, string appPath)
    {
        await using var rig = await InvocationRig.StartAsync();
        using var http = new HttpClient();

        var echo = await ReadEchoAsync(await http.GetAsync($"{rig.Caller.HttpEndpoint}/v1.0/invoke/callee/method/{method}", Ct));

        Assert.Equal(appPath, echo.Path);
    }

    [Fact]
    public async Task Invoke_MethodWithDotSegments_IsCleanedLikePathClean()
    {
        await using var rig = await InvocationRig.StartAsync();
        using var http = new HttpClient();

        var echo = await ReadEchoAsync(await http.GetAsync($"{rig.Caller.HttpEndpoint}/v1.0/invoke/callee/method/echo//a/./b/../c", Ct));

        Assert.Equal("/echo/a/c", echo.Path);
    }
}
