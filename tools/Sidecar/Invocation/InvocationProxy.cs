using System.Net;
using System.Text.Json;
using Sidecar.Api;
using Sidecar.Faults;
using Sidecar.Hosting;
using Sidecar.Resiliency;
using Sidecar.Resources;

namespace Sidecar.Invocation;

/// <summary>
/// HTTP service invocation (contract §5): the caller's sidecar resolves the target app id, applies the
/// Resiliency policy of <c>targets.apps.&lt;appId&gt;</c> (retries on matching statuses, a timeout per attempt)
/// and forwards to the target's sidecar, which calls its app. Status, headers and body come back unchanged.
/// </summary>
public sealed class InvocationProxy(
    SidecarOptions options,
    NameRegistry names,
    ResiliencyPolicies resiliency,
    AppChannel appChannel,
    FaultInjector faults,
    ResourceSet resources,
    IHttpClientFactory httpClients,
    ILogger<InvocationProxy> logger)
{
    public const string SidecarClientName = "sidecar-to-sidecar";

    /// <summary>Path prefix of the sidecar-to-sidecar hop; the callee sidecar forwards what arrives here to its app.</summary>
    public const string InternalPrefix = "/_sidecar/invoke";

    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Host",
        "dapr-app-id", ApiTokens.HeaderName, "Content-Length", NameRegistry.HopTokenHeader,
    };

    /// <summary>Handles an app's call to <c>/v1.0/invoke/{appId}/method/{method}</c> (or the dapr-app-id header form).</summary>
    public async Task InvokeAsync(HttpContext context, string appId, string method)
    {
        appId = Uri.UnescapeDataString(appId);

        // daprd accepts "<appId>.<namespace>"; a run has one namespace, so only ours can resolve.
        if (appId.LastIndexOf('.') is var dot and > 0 && appId[(dot + 1)..] == options.EffectiveNamespace)
        {
            appId = appId[..dot];
        }

        if (string.IsNullOrEmpty(appId))
        {
            await WriteErrorAsync(context, StatusCodes.Status404NotFound, "failed getting app id either from the URL path or the header dapr-app-id");
            return;
        }

        if (faults.ShouldFailInvocation(appId) is { } injected)
        {
            await WriteErrorAsync(context, injected, $"failed to invoke, id: {appId}, err: injected fault (status {injected})");
            return;
        }

        var target = names.Resolve(appId);
        if (target is null)
        {
            await WriteErrorAsync(context, StatusCodes.Status500InternalServerError, $"failed to invoke, id: {appId}, err: app id {appId} is not running in this run (no name-resolution entry)");
            return;
        }

        var body = await ReadBodyAsync(context.Request);
        var policies = resiliency.ForApp(appId);
        var breaker = resiliency.BreakerForApp(appId);
        var http = httpClients.CreateClient(SidecarClientName);
        var retries = 0;
        while (true)
        {
            if (retries > 0)
            {
                // The target's sidecar may have restarted on another port since the last attempt.
                target = names.Resolve(appId) ?? target;
            }

            // An open breaker fails the call at once and is not retried (daprd marks it a permanent error).
            if (breaker is not null && !breaker.TryAcquire())
            {
                InvocationLog.CircuitOpen(logger, appId);
                await WriteErrorAsync(context, StatusCodes.Status500InternalServerError, $"failed to invoke, id: {appId}, err: circuit breaker is open");
                return;
            }

            using var attempt = BuildForward(context.Request, new Uri(target.BaseAddress, $"{InternalPrefix.TrimStart('/')}/{CleanMethod(method)}{context.Request.QueryString}"), body);
            attempt.Headers.TryAddWithoutValidation(NameRegistry.HopTokenHeader, target.HopToken);
            attempt.Headers.TryAddWithoutValidation("dapr-caller-app-id", options.AppId);
            attempt.Headers.TryAddWithoutValidation("dapr-callee-app-id", appId);
            attempt.Headers.TryAddWithoutValidation("dapr-caller-namespace", options.EffectiveNamespace);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            // As in daprd, a zero timeout means none.
            if (policies.Timeout is { } limit && limit > TimeSpan.Zero)
            {
                timeout.CancelAfter(limit);
            }

            HttpResponseMessage response;
            try
            {
                // An injected slow target: the wait runs on the attempt's token, so the timeout policy and the
                // caller going away end it exactly as they would end a call to a target that answers late.
                if (faults.InvocationDelay(appId) is { } delay)
                {
                    InvocationLog.InvocationDelayed(logger, appId, delay);
                    await Task.Delay(delay, timeout.Token);
                }

                response = await http.SendAsync(attempt, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            }
            catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !context.RequestAborted.IsCancellationRequested))
            {
                breaker?.ReportFailure();
                var reason = ex is OperationCanceledException ? $"timeout after {policies.Timeout} waiting for the app" : ex.Message;
                InvocationLog.InvocationFailed(logger, appId, reason);
                if (policies.Retry is { } retryPolicy && retryPolicy.AllowsRetry(retries))
                {
                    retries++;
                    await Task.Delay(retryPolicy.DelayBefore(retries), context.RequestAborted);
                    continue;
                }

                await WriteErrorAsync(context, StatusCodes.Status500InternalServerError, $"failed to invoke, id: {appId}, err: {reason}");
                return;
            }
            catch (OperationCanceledException)
            {
                // The caller went away: no verdict on the target, but a half-open breaker must get its trial slot back.
                breaker?.ReportAbandoned();
                throw;
            }

            using (response)
            {
                var status = (int)response.StatusCode;

                // For the breaker a 5xx is the target failing; a 4xx is the caller's problem.
                if (status >= 500)
                {
                    breaker?.ReportFailure();
                }
                else
                {
                    breaker?.ReportSuccess();
                }

                if (status >= 400 && policies.Retry is { } retryPolicy && retryPolicy.MatchesHttpStatus(status) && retryPolicy.AllowsRetry(retries))
                {
                    retries++;
                    InvocationLog.InvocationRetry(logger, appId, status, retries);
                    await Task.Delay(retryPolicy.DelayBefore(retries), context.RequestAborted);
                    continue;
                }

                await CopyResponseAsync(response, context.Response, context.RequestAborted);
                return;
            }
        }
    }

    /// <summary>The callee side: forwards what another sidecar (or this one) sent to the local app.</summary>
    public async Task ForwardToAppAsync(HttpContext context, string method)
    {
        if (!names.IsHopAuthorized(context.Request.Headers[NameRegistry.HopTokenHeader].FirstOrDefault()))
        {
            await WriteErrorAsync(context, StatusCodes.Status401Unauthorized, "the sidecar-to-sidecar path needs the hop token of this sidecar's registry entry");
            return;
        }

        var caller = context.Request.Headers["dapr-caller-app-id"].FirstOrDefault();
        if (!AccessControl.IsAllowed(resources.Configuration?.AccessControl, caller, context.Request.Headers["dapr-caller-namespace"].FirstOrDefault(), method, context.Request.Method))
        {
            InvocationLog.AccessDenied(logger, caller ?? "(unknown)", method, context.Request.Method);
            await WriteErrorAsync(context, StatusCodes.Status403Forbidden,
                $"access control policy has denied access to id: {caller} operation: {method} verb: {context.Request.Method}");
            return;
        }

        if (!appChannel.HasApp)
        {
            await WriteErrorAsync(context, StatusCodes.Status500InternalServerError, $"failed to invoke, id: {options.AppId}, err: the app listens on no port");
            return;
        }

        var body = await ReadBodyAsync(context.Request);
        using var request = BuildForward(context.Request, new Uri(method + context.Request.QueryString, UriKind.Relative), body);
        foreach (var header in new[] { "dapr-caller-app-id", "dapr-callee-app-id", "dapr-caller-namespace" })
        {
            if (context.Request.Headers.TryGetValue(header, out var value))
            {
                request.Headers.TryAddWithoutValidation(header, value.ToString());
            }
        }

        request.Headers.TryAddWithoutValidation("X-Forwarded-Host", context.Request.Host.Value);
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", context.Connection.RemoteIpAddress?.ToString() ?? "127.0.0.1");
        request.Headers.TryAddWithoutValidation("Forwarded", $"for={context.Connection.RemoteIpAddress};by={context.Connection.LocalIpAddress};host={context.Request.Host.Value}");
        try
        {
            using var response = await appChannel.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
            await CopyResponseAsync(response, context.Response, context.RequestAborted);
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !context.RequestAborted.IsCancellationRequested))
        {
            // Reported as a transport failure to the caller sidecar, which turns it into daprd's 500.
            context.Abort();
            InvocationLog.InvocationFailed(logger, options.AppId, ex.Message);
        }
    }

    private static string CleanMethod(string method)
    {
        // daprd applies path.Clean to the method.
        var segments = new Stack<string>();
        foreach (var segment in method.Split('/'))
        {
            if (segment is "" or ".")
            {
                continue;
            }

            if (segment == "..")
            {
                segments.TryPop(out _);
                continue;
            }

            segments.Push(segment);
        }

        return string.Join('/', segments.Reverse());
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
        return buffer.ToArray();
    }

    private static HttpRequestMessage BuildForward(HttpRequest source, Uri uri, byte[] body)
    {
        var message = new HttpRequestMessage(new HttpMethod(source.Method), uri);
        if (body.Length > 0 || source.ContentLength is not null || source.Headers.ContainsKey("Transfer-Encoding"))
        {
            message.Content = new ByteArrayContent(body);
        }

        foreach (var (name, values) in source.Headers)
        {
            if (HopByHop.Contains(name) || name.StartsWith("dapr-caller", StringComparison.OrdinalIgnoreCase) || name.StartsWith("dapr-callee", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!message.Headers.TryAddWithoutValidation(name, values.ToArray()))
            {
                message.Content?.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }

        return message;
    }

    private static async Task CopyResponseAsync(HttpResponseMessage source, HttpResponse target, CancellationToken cancellationToken)
    {
        target.StatusCode = (int)source.StatusCode;
        foreach (var (name, values) in source.Headers.Concat(source.Content.Headers))
        {
            if (!HopByHop.Contains(name))
            {
                target.Headers[name] = values.ToArray();
            }
        }

        await source.Content.CopyToAsync(target.Body, cancellationToken);
    }

    internal static Task WriteErrorAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new { errorCode = "ERR_DIRECT_INVOKE", message }), context.RequestAborted);
    }
}

internal static class InvocationServiceCollectionExtensions
{
    public static IServiceCollection AddSidecarInvocation(this IServiceCollection services)
    {
        services.AddSingleton<NameRegistry>();
        services.AddSingleton<ResiliencyPolicies>();
        services.AddSingleton<FaultInjector>();
        services.AddSingleton<InvocationProxy>();
        // No client-side timeout: only a Resiliency timeout policy limits an invocation, as in daprd.
        services.AddHttpClient(InvocationProxy.SidecarClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None });
        return services;
    }
}
