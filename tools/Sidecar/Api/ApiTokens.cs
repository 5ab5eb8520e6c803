using Grpc.Core;
using Grpc.Core.Interceptors;
using Sidecar.Hosting;

namespace Sidecar.Api;

/// <summary>DAPR_API_TOKEN enforcement (contract §1.1): every API call but the health checks needs the token.</summary>
public static class ApiTokens
{
    public const string HeaderName = "dapr-api-token";

    public const string MissingMessage = "missing api token in request metadata";

    public const string MismatchMessage = "authentication error: api token mismatch";

    /// <returns>Null when the call may proceed, else the daprd error message.</returns>
    public static string? Check(string? expected, string? given) =>
        expected is null ? null
        : string.IsNullOrEmpty(given) ? MissingMessage
        : string.Equals(expected, given, StringComparison.Ordinal) ? null
        : MismatchMessage;

    public static bool IsHealthPath(PathString path) =>
        path.StartsWithSegments("/v1.0/healthz", StringComparison.OrdinalIgnoreCase);
}

public sealed class ApiTokenInterceptor(SidecarOptions options) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(request, responseStream, context);
    }

    private void Authorize(ServerCallContext context)
    {
        if (ApiTokens.Check(options.ApiToken, context.RequestHeaders.GetValue(ApiTokens.HeaderName)) is { } error)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, error));
        }
    }
}
