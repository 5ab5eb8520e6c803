using Dapr.Client;
using Microsoft.Extensions.Logging;
using Sidecar.Hosting;

namespace Platform.Testing;

/// <summary>
/// Our sidecar, started in the test process on free ports with the given resource YAML, plus a real
/// Dapr.Client DaprClient talking to it over gRPC (h2c) and HTTP.
/// </summary>
public sealed class TestSidecar : IAsyncDisposable
{
    private TestSidecar(SidecarHost host, string resourcesDirectory, DaprClient client)
    {
        Host = host;
        ResourcesDirectory = resourcesDirectory;
        Client = client;
    }

    public SidecarHost Host { get; }

    public string ResourcesDirectory { get; }

    public DaprClient Client { get; }

    public SidecarOptions Options => Host.Options;

    public string GrpcEndpoint => $"http://127.0.0.1:{Options.GrpcPort}";

    public string HttpEndpoint => $"http://127.0.0.1:{Options.HttpPort}";

    /// <param name="resourcesYaml">Resource documents (components, subscriptions, resiliency), written to one file.</param>
    public static async Task<TestSidecar> StartAsync(
        string appId,
        string resourcesYaml,
        int? appPort = null,
        Func<SidecarOptions, SidecarOptions>? configure = null,
        IReadOnlyDictionary<string, string>? extraFiles = null,
        CapturedLogs? logs = null)
    {
        var directory = Directory.CreateTempSubdirectory("platform-resources-").FullName;
        await File.WriteAllTextAsync(Path.Combine(directory, "resources.yaml"), resourcesYaml);
        foreach (var (name, content) in extraFiles ?? new Dictionary<string, string>())
        {
            await File.WriteAllTextAsync(Path.Combine(directory, name), content);
        }

        var options = new SidecarOptions
        {
            AppId = appId,
            AppPort = appPort,
            GrpcPort = 0,
            HttpPort = 0,
            ResourcesPaths = [directory],
            OutboxRelayDelay = TimeSpan.FromMilliseconds(100),
            LogLevel = LogLevel.Warning,
        };
        options = configure?.Invoke(options) ?? options;
        SidecarHost host;
        try
        {
            host = await SidecarHost.StartAsync(options, logging =>
            {
                logging.AddSimpleConsole(o => o.SingleLine = true);
                if (logs is not null)
                {
                    // A test that waits for the sidecar to report something it cannot observe otherwise.
                    logging.AddProvider(logs);
                    // Everything the sidecar's own code says, whatever the console's level.
                    logging.AddFilter<CapturedLogs>("Sidecar", LogLevel.Debug);
                }
            });
        }
        catch
        {
            Directory.Delete(directory, recursive: true);
            throw;
        }

        var builder = new DaprClientBuilder()
            .UseGrpcEndpoint($"http://127.0.0.1:{host.Options.GrpcPort}")
            .UseHttpEndpoint($"http://127.0.0.1:{host.Options.HttpPort}");
        if (host.Options.ApiToken is { } token)
        {
            builder.UseDaprApiToken(token);
        }

        return new TestSidecar(host, directory, builder.Build());
    }

    /// <summary>A client with another (or no) API token, for token tests.</summary>
    public DaprClient CreateClient(string? apiToken)
    {
        var builder = new DaprClientBuilder().UseGrpcEndpoint(GrpcEndpoint).UseHttpEndpoint(HttpEndpoint);
        if (apiToken is not null)
        {
            builder.UseDaprApiToken(apiToken);
        }

        return builder.Build();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
        Directory.Delete(ResourcesDirectory, recursive: true);
    }
}
