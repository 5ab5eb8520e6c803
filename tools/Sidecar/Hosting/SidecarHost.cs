using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Sidecar.Api;
using Sidecar.Components;
using Sidecar.Invocation;
using Sidecar.PubSub;
using Sidecar.Resources;
using Sidecar.Runner;
using Sidecar.State;

namespace Sidecar.Hosting;

/// <summary>
/// One running sidecar: loads and initialises the resources (a bad resource stops start-up), then serves
/// daprd's gRPC API (h2c) and HTTP API (HTTP/1.1) on their ports and starts talking to the app.
/// </summary>
public sealed class SidecarHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SidecarHost(WebApplication app, SidecarOptions options)
    {
        _app = app;
        Options = options;
    }

    /// <summary>The options with the ports actually bound.</summary>
    public SidecarOptions Options { get; }

    public IServiceProvider Services => _app.Services;

    public Task Stopped => _app.WaitForShutdownAsync();

    /// <summary>The error that stopped the sidecar on its own (a failed start-up step); null while running or after a requested stop.</summary>
    public Exception? Failure => Services.GetRequiredService<SidecarReadiness>().Failure;

    public static async Task<SidecarHost> StartAsync(SidecarOptions options, Action<ILoggingBuilder>? configureLogging = null, CancellationToken cancellationToken = default)
    {
        // A free port is picked before Kestrel binds it, so another process (parallel test runs) may take it in
        // between; with automatic ports, start again on fresh ones.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(options, configureLogging, cancellationToken);
            }
            catch (IOException ex) when (ex.InnerException is AddressInUseException && attempt < 5 && (options.GrpcPort == 0 || options.HttpPort == 0))
            {
                continue;
            }
        }
    }

    private static async Task<SidecarHost> StartOnceAsync(SidecarOptions options, Action<ILoggingBuilder>? configureLogging, CancellationToken cancellationToken)
    {
        // An automatic port must not be the other one when that one is given.
        var ports = new PortPicker([options.GrpcPort, options.HttpPort]);
        options = options with { GrpcPort = options.GrpcPort == 0 ? ports.Next() : options.GrpcPort };
        options = options with { HttpPort = options.HttpPort == 0 ? ports.Next() : options.HttpPort };
        var resources = ResourceLoader.Load(options.ResourcesPaths, options.ConfigFile, options.AppId, options.EnvironmentLookup ?? Environment.GetEnvironmentVariable);
        var registry = await ComponentRegistry.CreateAsync(resources, options, cancellationToken);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ApplicationName = typeof(SidecarHost).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(options.LogLevel);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        if (configureLogging is null)
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            });
        }
        else
        {
            configureLogging(builder.Logging);
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ListenLocalhost(options.GrpcPort, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.ListenLocalhost(options.HttpPort, listen => listen.Protocols = HttpProtocols.Http1);
            kestrel.Limits.MaxRequestBodySize = null;
        });

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(resources);
        builder.Services.AddSingleton(registry);
        builder.Services.AddSingleton<SidecarReadiness>();
        builder.Services.AddHttpClient(AppChannel.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), UseProxy = false, AllowAutoRedirect = false });
        builder.Services.AddSingleton(sp => new AppChannel(options, sp.GetRequiredService<IHttpClientFactory>().CreateClient(AppChannel.HttpClientName)));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<Outbox.TransactionalOutbox>();
        builder.Services.AddSingleton<Outbox.OutboxRelay>();
        builder.Services.AddSingleton<StateApi>();
        builder.Services.AddSingleton<PublishApi>();
        builder.Services.AddSingleton<Jobs.JobScheduler>();
        builder.Services.AddSingleton<Jobs.JobsApi>();
        builder.Services.AddSingleton<Bindings.CronBindings>();
        builder.Services.AddSingleton<MetadataApi>();
        builder.Services.AddSidecarInvocation();
        builder.Services.AddSidecarPubSub();
        builder.Services.AddSingleton<Workflow.WorkflowEngine>();
        builder.Services.AddHostedService<Workflow.WorkflowHostedService>();
        builder.Services.AddHostedService<AppLifecycle>();
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = null;
            grpc.MaxSendMessageSize = null;
            grpc.EnableDetailedErrors = true;
            grpc.Interceptors.Add<ApiTokenInterceptor>();
        });

        var app = builder.Build();
        var resourceLogger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ResourceLoader));
        foreach (var warning in resources.Warnings ?? [])
        {
            ResourceLog.Warning(resourceLogger, warning);
        }

        app.UseMiddleware<UnimplementedGrpcMiddleware>();
        app.UseMiddleware<HttpApiTokenMiddleware>();
        app.MapGrpcService<DaprGrpcService>().RequireHost($"*:{options.GrpcPort}");
        app.MapGrpcService<Workflow.WorkflowGrpcService>().RequireHost($"*:{options.GrpcPort}");
        app.MapSidecarHttpApi().RequireHost($"*:{options.HttpPort}");
        Jobs.JobsHttpApi.MapSidecarJobsHttpApi(app).RequireHost($"*:{options.HttpPort}");
        Jobs.TestHooksApi.MapSidecarTestHooks(app).RequireHost($"*:{options.HttpPort}");

        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            await registry.DisposeAsync();
            throw;
        }

        app.Services.GetRequiredService<SidecarReadiness>().MarkOutboundReady();
        return new SidecarHost(app, options);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _app.StopAsync(CancellationToken.None);
        }
        finally
        {
            var registry = _app.Services.GetRequiredService<ComponentRegistry>();
            await _app.DisposeAsync();
            await registry.DisposeAsync();
        }
    }
}

/// <summary>daprd's readiness: outbound once the APIs listen, full once the app is reachable and subscribed.</summary>
public sealed class SidecarReadiness
{
    private readonly TaskCompletionSource _appReady = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool OutboundReady { get; private set; }

    public bool AppReady => _appReady.Task.IsCompleted;

    public Task WhenAppReady => _appReady.Task;

    public void MarkOutboundReady() => OutboundReady = true;

    public void MarkAppReady() => _appReady.TrySetResult();

    /// <summary>Why the sidecar stopped on its own, if a background start-up step failed; null otherwise.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>A failed start-up step stops the host (daprd exits 1 on such a failure); waiters of readiness see the error.</summary>
    public void MarkFailed(Exception failure)
    {
        Failure = failure;
        _appReady.TrySetException(failure);
    }
}
