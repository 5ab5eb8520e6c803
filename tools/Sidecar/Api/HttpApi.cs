using System.Text;
using System.Text.Json;
using Sidecar.Hosting;
using Sidecar.Invocation;

namespace Sidecar.Api;

/// <summary>daprd's HTTP API on the HTTP port: health checks, shutdown and service invocation.</summary>
public static class HttpApi
{
    public static RouteGroupBuilder MapSidecarHttpApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("");
        group.MapGet("/v1.0/healthz", Healthz);
        group.MapGet("/v1.0/healthz/outbound", OutboundHealthz);
        // daprd: 204 "shutdown request accepted", then a graceful stop (the gRPC Shutdown does the same).
        group.MapPost("/v1.0/shutdown", (MetadataApi metadata) =>
        {
            metadata.RequestShutdown();
            return Results.NoContent();
        });
        group.Map("/v1.0/invoke/{appId}/method/{**method}", (HttpContext context, string appId, string? method, InvocationProxy proxy) =>
            proxy.InvokeAsync(context, appId, method ?? ""));
        group.Map(InvocationProxy.InternalPrefix + "/{**method}", (HttpContext context, string? method, InvocationProxy proxy) =>
            proxy.ForwardToAppAsync(context, method ?? ""));
        // The header form: any other path with dapr-app-id (or basic auth "dapr-app-id:<appId>") names the target; the path is the method.
        group.MapFallback((HttpContext context, InvocationProxy proxy) =>
            TargetFromHeaders(context) is { } appId
                ? proxy.InvokeAsync(context, appId, context.Request.Path.Value?.TrimStart('/') ?? "")
                : WriteNotFoundAsync(context));
        return group;
    }

    private static string? TargetFromHeaders(HttpContext context)
    {
        if (context.Request.Headers.TryGetValue("dapr-app-id", out var header))
        {
            return header.ToString();
        }

        var authorization = context.Request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        string credentials;
        try
        {
            credentials = Encoding.UTF8.GetString(Convert.FromBase64String(authorization["Basic ".Length..].Trim()));
        }
        catch (FormatException)
        {
            // Not base64: basic auth meant for someone else, not an invocation target.
            return null;
        }

        const string user = "dapr-app-id:";
        if (!credentials.StartsWith(user, StringComparison.Ordinal))
        {
            return null;
        }

        // The credentials named the target only; they are not the app's to see.
        context.Request.Headers.Remove("Authorization");
        return credentials[user.Length..];
    }

    private static IResult Healthz(HttpContext context, SidecarReadiness readiness, SidecarOptions options)
    {
        if (context.Request.Query.TryGetValue("appid", out var appId) && appId != options.AppId)
        {
            return TypedResults.Json(new { errorCode = "ERR_HEALTH_APPID_NOT_MATCH", message = "dapr app-id does not match" }, statusCode: StatusCodes.Status500InternalServerError);
        }

        return readiness.AppReady
            ? TypedResults.NoContent()
            : TypedResults.Json(new { errorCode = "ERR_HEALTH_NOT_READY", message = "dapr is not ready" }, statusCode: StatusCodes.Status500InternalServerError);
    }

    private static IResult OutboundHealthz(SidecarReadiness readiness) =>
        readiness.OutboundReady
            ? TypedResults.NoContent()
            : TypedResults.Json(new { errorCode = "ERR_OUTBOUND_HEALTH_NOT_READY", message = "dapr outbound is not ready" }, statusCode: StatusCodes.Status500InternalServerError);

    private static Task WriteNotFoundAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new { errorCode = "ERR_NOT_FOUND", message = $"{context.Request.Path} is not an API of this sidecar" }));
    }
}

/// <summary>DAPR_API_TOKEN on the HTTP port: 401 without or with a wrong token, except health checks and the sidecar-to-sidecar hop.</summary>
public sealed class HttpApiTokenMiddleware(RequestDelegate next, SidecarOptions options)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (options.ApiToken is not null &&
            context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) != true &&
            !ApiTokens.IsHealthPath(context.Request.Path) &&
            !context.Request.Path.StartsWithSegments(InvocationProxy.InternalPrefix, StringComparison.Ordinal) &&
            ApiTokens.Check(options.ApiToken, context.Request.Headers[ApiTokens.HeaderName].ToString()) is { } error)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(JsonSerializer.Serialize(new { errorCode = "ERR_API_TOKEN", message = error }));
            return;
        }

        await next(context);
    }
}
