using Dapr.Workflow;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Sidecar.Tests.Workflow;

/// <summary>An app process stand-in: the real Dapr.Workflow 1.18.7 worker and client, pointed at a sidecar's gRPC port.</summary>
internal sealed class WorkflowWorker : IAsyncDisposable
{
    private readonly IHost _host;

    private WorkflowWorker(IHost host) => _host = host;

    public DaprWorkflowClient Client => _host.Services.GetRequiredService<DaprWorkflowClient>();

    public static async Task<WorkflowWorker> StartAsync(string grpcEndpoint, Action<WorkflowRuntimeOptions> register, Action<IServiceCollection>? services = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration["DAPR_GRPC_ENDPOINT"] = grpcEndpoint;
        builder.Configuration["DAPR_HTTP_ENDPOINT"] = grpcEndpoint;
        services?.Invoke(builder.Services);
        builder.Services.AddDaprWorkflow(register);
        var host = builder.Build();
        await host.StartAsync();
        return new WorkflowWorker(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
