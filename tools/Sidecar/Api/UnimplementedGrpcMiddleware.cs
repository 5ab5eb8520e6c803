using Grpc.Core;

namespace Sidecar.Api;

/// <summary>
/// Answers gRPC calls to methods this sidecar does not serve with Unimplemented and a message that names
/// the method (Grpc.AspNetCore's own answer does not), which the SDK's Alpha/stable fallbacks rely on.
/// </summary>
public sealed class UnimplementedGrpcMiddleware(RequestDelegate next)
{
    private static readonly HashSet<string> Served = CollectServedPaths();

    public Task InvokeAsync(HttpContext context)
    {
        if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true &&
            !Served.Contains(context.Request.Path.Value ?? ""))
        {
            // A trailers-only gRPC response: the status travels in the headers.
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/grpc";
            context.Response.Headers["grpc-status"] = ((int)StatusCode.Unimplemented).ToString(System.Globalization.CultureInfo.InvariantCulture);
            context.Response.Headers["grpc-message"] = Uri.EscapeDataString($"method {context.Request.Path.Value?.TrimStart('/')} is not implemented by this sidecar");
            return Task.CompletedTask;
        }

        return next(context);
    }

    private static HashSet<string> CollectServedPaths()
    {
        var binder = new PathCollector();
        DaprGrpcService.BindService(binder, null);
        Workflow.WorkflowGrpcService.BindService(binder, null);
        return binder.Paths;
    }

    private sealed class PathCollector : ServiceBinderBase
    {
        public HashSet<string> Paths { get; } = new(StringComparer.Ordinal);

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler) =>
            Paths.Add(method.FullName);

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler) =>
            Paths.Add(method.FullName);

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler) =>
            Paths.Add(method.FullName);

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler) =>
            Paths.Add(method.FullName);
    }
}
