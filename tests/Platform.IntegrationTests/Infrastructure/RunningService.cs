using Dapr.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Platform.Testing;
using Sidecar.Hosting;

namespace Platform.IntegrationTests.Infrastructure;

/// <summary>
/// One service as it runs in production: its real Program on a real port, our sidecar beside it with the
/// repository's components, and real HTTP/gRPC between them.
/// </summary>
public sealed class RunningService : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly IAsyncDisposable _factory;
    private bool _sidecarStopped;

    private RunningService(string appId, SidecarHost sidecar, IAsyncDisposable factory, IServiceProvider services, int appPort)
    {
        AppId = appId;
        Sidecar = sidecar;
        _factory = factory;
        Services = services;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{appPort}") };
        Dapr = new DaprClientBuilder()
            .UseGrpcEndpoint($"http://127.0.0.1:{sidecar.Options.GrpcPort}")
            .UseHttpEndpoint($"http://127.0.0.1:{sidecar.Options.HttpPort}")
            .Build();
    }

    public string AppId { get; }

    /// <summary>A client of the service's own HTTP API.</summary>
    public HttpClient Http { get; }

    /// <summary>A DaprClient on the service's sidecar (to publish test events or read its stores as the app would).</summary>
    public DaprClient Dapr { get; }

    public SidecarHost Sidecar { get; }

    /// <summary>The app's own services (options, clocks…).</summary>
    public IServiceProvider Services { get; }

    internal static async Task<RunningService> StartAsync<TMarker>(ServiceEnvironment environment, string appId, ServiceStartOptions options)
        where TMarker : class
    {
        // A free port is found by binding port 0 and letting it go, so another process can take it before Kestrel
        // binds it (it happened in CI): start again on another port.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync<TMarker>(environment, appId, options, ProcessRunner.FreePort());
            }
            catch (Exception ex) when (attempt < 3 && IsAddressInUse(ex))
            {
            }
        }
    }

    private static bool IsAddressInUse(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is Microsoft.AspNetCore.Connections.AddressInUseException)
            {
                return true;
            }
        }

        return false;
    }

    private static async Task<RunningService> StartOnceAsync<TMarker>(ServiceEnvironment environment, string appId, ServiceStartOptions options, int appPort)
        where TMarker : class
    {
        var sidecar = await SidecarHost.StartAsync(
            new SidecarOptions
            {
                AppId = appId,
                AppPort = appPort,
                GrpcPort = 0,
                HttpPort = 0,
                ResourcesPaths = [environment.ResourcesDirectory],
                OutboxRelayDelay = options.OutboxRelayDelay,
                LogLevel = LogLevel.Warning,
                RegistryDirectory = Path.Combine(environment.Directory, "registry"),
                DataDirectory = Path.Combine(environment.Directory, "sidecar-" + appId + "-" + Guid.NewGuid().ToString("N")[..8]),
                EnvironmentLookup = environment.LookupEnvironment,
                Faults = options.Faults,
            },
            logging => logging.AddSimpleConsole(o => o.SingleLine = true));

        var factory = new WebApplicationFactory<TMarker>().WithWebHostBuilder(web =>
        {
            web.UseSetting("DAPR_GRPC_ENDPOINT", $"http://127.0.0.1:{sidecar.Options.GrpcPort}");
            web.UseSetting("DAPR_HTTP_ENDPOINT", $"http://127.0.0.1:{sidecar.Options.HttpPort}");
            foreach (var (key, value) in options.Settings)
            {
                web.UseSetting(key, value);
            }

            web.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        });
        try
        {
            factory.UseKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, appPort));
            factory.StartServer();
            var ready = sidecar.Services.GetRequiredService<SidecarReadiness>().WhenAppReady;
            await ready.WaitAsync(StartTimeout);
        }
        catch
        {
            await factory.DisposeAsync();
            await sidecar.DisposeAsync();
            throw;
        }

        return new RunningService(appId, sidecar, factory, factory.Services, appPort);
    }

    /// <summary>Stops the sidecar and leaves the app running (the sidecar-down cases).</summary>
    public async Task StopSidecarAsync()
    {
        if (!_sidecarStopped)
        {
            _sidecarStopped = true;
            await Sidecar.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Dapr.Dispose();
        await StopSidecarAsync();
        await _factory.DisposeAsync();
    }
}
