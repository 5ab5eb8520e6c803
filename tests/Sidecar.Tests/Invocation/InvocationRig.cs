using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Platform.Testing;
using Sidecar.Hosting;

namespace Sidecar.Tests.Invocation;

/// <summary>What the callee app saw of one request.</summary>
internal sealed record EchoReply(string Method, string Path, string Query, string Body, Dictionary<string, string> Headers);

/// <summary>
/// Two sidecars, "caller" and "callee", sharing one name-registry folder, and a real app behind the callee
/// that echoes requests, answers chosen statuses, counts attempts per key and can be slow.
/// </summary>
internal sealed class InvocationRig : IAsyncDisposable
{
    private readonly string _registry;

    private InvocationRig(string registry, TestApp app, TestSidecar callee, TestSidecar caller, ConcurrentDictionary<string, int> attempts, AppBehaviour behaviour)
    {
        _registry = registry;
        App = app;
        Callee = callee;
        Caller = caller;
        Attempts = attempts;
        Behaviour = behaviour;
    }

    public TestApp App { get; }

    public TestSidecar Callee { get; }

    public TestSidecar Caller { get; }

    /// <summary>Calls of /attempts/{key} and /breaker/{key} the app received, per key.</summary>
    public ConcurrentDictionary<string, int> Attempts { get; }

    public AppBehaviour Behaviour { get; }

    public int AttemptsOf(string key) => Attempts.GetValueOrDefault(key);

    public static async Task<InvocationRig> StartAsync(
        string callerResources = "",
        Func<SidecarOptions, SidecarOptions>? configureCaller = null,
        Func<SidecarOptions, SidecarOptions>? configureCallee = null)
    {
        var registry = Directory.CreateTempSubdirectory("invocation-registry-").FullName;
        var attempts = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var behaviour = new AppBehaviour();
        var app = await TestApp.StartAsync(endpoints => MapEndpoints(endpoints, attempts, behaviour));
        var callee = await TestSidecar.StartAsync("callee", "", app.Port, o => (configureCallee ?? (x => x))(o with { RegistryDirectory = registry }));
        var caller = await TestSidecar.StartAsync("caller", callerResources, configure: o => (configureCaller ?? (x => x))(o with { RegistryDirectory = registry }));
        return new InvocationRig(registry, app, callee, caller, attempts, behaviour);
    }

    private static void MapEndpoints(WebApplication app, ConcurrentDictionary<string, int> attempts, AppBehaviour behaviour)
    {
        app.Map("/echo/{**rest}", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
            return TypedResults.Json(new EchoReply(context.Request.Method, context.Request.Path.Value ?? "", context.Request.QueryString.Value ?? "", body, headers));
        });
        app.Map("/status/{code:int}", async (HttpContext context, int code) =>
        {
            context.Response.StatusCode = code;
            context.Response.ContentType = "text/plain; charset=utf-8";
            context.Response.Headers["x-app-header"] = $"from-app-{code}";
            await context.Response.WriteAsync($"status {code}", context.RequestAborted);
        });
        app.Map("/attempts/{key}", (string key) =>
        {
            var attempt = attempts.AddOrUpdate(key, 1, (_, n) => n + 1);
            return TypedResults.Text($"attempt {attempt}", statusCode: StatusCodes.Status503ServiceUnavailable);
        });
        app.Map("/breaker/{key}", (string key) =>
        {
            attempts.AddOrUpdate(key, 1, (_, n) => n + 1);
            return TypedResults.Text("breaker", statusCode: behaviour.BreakerStatus);
        });
        app.Map("/slow", async (HttpContext context) =>
        {
            // The app hangs; the caller's timeout policy must end the call first.
            await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
            return TypedResults.Text("late");
        });
    }

    public async ValueTask DisposeAsync()
    {
        await Caller.DisposeAsync();
        await Callee.DisposeAsync();
        await App.DisposeAsync();
        Directory.Delete(_registry, recursive: true);
    }
}

internal sealed class AppBehaviour
{
    private volatile int _breakerStatus = StatusCodes.Status500InternalServerError;

    public int BreakerStatus
    {
        get => _breakerStatus;
        set => _breakerStatus = value;
    }
}
