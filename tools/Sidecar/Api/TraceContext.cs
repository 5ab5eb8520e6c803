using Grpc.Core;

namespace Sidecar.Api;

/// <summary>The W3C trace headers a caller sent, which daprd copies into CloudEvents it builds.</summary>
public sealed record TraceContext(string? TraceParent, string? TraceState)
{
    public static TraceContext None { get; } = new(null, null);

    public static TraceContext From(ServerCallContext context) =>
        new(context.RequestHeaders.GetValue("traceparent"), context.RequestHeaders.GetValue("tracestate"));
}
