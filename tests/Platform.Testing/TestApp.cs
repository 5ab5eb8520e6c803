using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Platform.Testing;

/// <summary>
/// A real ASP.NET Core app on a free loopback port that a sidecar can call back (subscriptions,
/// invocations), built like a Dapr app: UseCloudEvents and MapSubscribeHandler from Dapr.AspNetCore.
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestApp(WebApplication app) => _app = app;

    public int Port { get; private set; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Every request the app received, as the sidecar sent it.</summary>
    public RequestRecorder Recorder { get; } = new();

    public static async Task<TestApp> StartAsync(Action<WebApplication> mapEndpoints, Action<IServiceCollection>? configureServices = null, int? port = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // Port 0 lets the OS pick: no race with other tests between choosing a port and binding it.
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, port ?? 0));
        builder.Services.AddDaprClient();
        configureServices?.Invoke(builder.Services);
        var app = builder.Build();
        var testApp = new TestApp(app);
        testApp.Recorder.Attach(app);
        app.UseCloudEvents();
        app.MapSubscribeHandler();
        mapEndpoints(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.Single();
        testApp.Port = new Uri(address).Port;
        return testApp;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
