using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Platform.IntegrationTests.Infrastructure;
using Platform.Testing;
using Sidecar.Hosting;

namespace Platform.IntegrationTests.GatewayTests;

/// <summary>
/// A small app registered under a real app id (with its own sidecar in the environment, as RunningService starts
/// one), so the gateway's invocations reach it: a dependency that is not built yet (order-query) or one that
/// must misbehave on purpose (fail, hang). Its <see cref="TestApp.Recorder"/> counts what actually arrived.
/// </summary>
public sealed class StandIn : IAsyncDisposable
{
    private readonly TestApp _app;
    private bool _sidecarStopped;

    private StandIn(TestApp app, SidecarHost sidecar)
    {
        _app = app;
        Sidecar = sidecar;
    }

    public SidecarHost Sidecar { get; }

    public RequestRecorder Recorder => _app.Recorder;

    public static async Task<StandIn> StartAsync(ServiceEnvironment environment, string appId, Action<WebApplication> mapEndpoints)
    {
        var app = await TestApp.StartAsync(mapEndpoints);
        try
        {
            var sidecar = await SidecarHost.StartAsync(
                new SidecarOptions
                {
                    AppId = appId,
                    AppPort = app.Port,
                    GrpcPort = 0,
                    HttpPort = 0,
                    ResourcesPaths = [environment.ResourcesDirectory],
                    LogLevel = LogLevel.Warning,
                    RegistryDirectory = Path.Combine(environment.Directory, "registry"),
                    DataDirectory = Path.Combine(environment.Directory, "sidecar-" + appId + "-" + Guid.NewGuid().ToString("N")[..8]),
                    EnvironmentLookup = environment.LookupEnvironment,
                },
                logging => logging.AddSimpleConsole(o => o.SingleLine = true));
            await sidecar.Services.GetRequiredService<SidecarReadiness>().WhenAppReady.WaitAsync(TimeSpan.FromSeconds(30));
            return new StandIn(app, sidecar);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>The dependency goes away: its sidecar stops answering, the app stays.</summary>
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
        await StopSidecarAsync();
        await _app.DisposeAsync();
    }
}
