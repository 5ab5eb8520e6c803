using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Platform.Testing;
using Sidecar.Hosting;
using DaprGrpc = Dapr.Client.Autogen.Grpc.v1;

namespace Sidecar.Tests.Jobs;

/// <summary>
/// A test app that answers <c>POST /job/{name}</c> with a chosen status, our sidecar in front of it with its own data
/// directory, and the raw Dapr gRPC client (the Dapr.Jobs package is not available here).
/// </summary>
internal sealed class JobsHarness : IAsyncDisposable
{
    private readonly GrpcChannel _channel;
    private readonly bool _ownsDataDirectory;

    private JobsHarness(TestApp? app, TestSidecar sidecar, string dataDirectory, bool ownsDataDirectory)
    {
        App = app;
        Sidecar = sidecar;
        DataDirectory = dataDirectory;
        _ownsDataDirectory = ownsDataDirectory;
        _channel = GrpcChannel.ForAddress(sidecar.GrpcEndpoint);
        Client = new DaprGrpc.Dapr.DaprClient(_channel);
    }

    /// <summary>Null when the sidecar was started without an app port.</summary>
    public TestApp? App { get; }

    public TestSidecar Sidecar { get; }

    public string DataDirectory { get; }

    public DaprGrpc.Dapr.DaprClient Client { get; }

    public RequestRecorder Recorder => (App ?? throw new InvalidOperationException("no app")).Recorder;

    /// <param name="jobStatus">Status the app answers for a job name; 200 when null.</param>
    /// <param name="dataDirectory">Reuse a data directory (restart tests); a fresh one otherwise, removed on dispose.</param>
    /// <param name="withApp">False starts the sidecar without an app port: jobs are stored but never fire.</param>
    public static async Task<JobsHarness> StartAsync(
        string appId,
        Func<string, int>? jobStatus = null,
        string? dataDirectory = null,
        bool withApp = true,
        string resources = "",
        Func<SidecarOptions, SidecarOptions>? configure = null,
        Action<WebApplication>? mapEndpoints = null)
    {
        var ownsDirectory = dataDirectory is null;
        dataDirectory ??= Directory.CreateTempSubdirectory("platform-jobs-").FullName;
        TestApp? app = null;
        if (withApp)
        {
            app = await TestApp.StartAsync(web =>
            {
                web.MapPost("/job/{name}", (string name) => Results.StatusCode(jobStatus?.Invoke(name) ?? StatusCodes.Status200OK));
                mapEndpoints?.Invoke(web);
            });
        }

        try
        {
            var directory = dataDirectory;
            var sidecar = await TestSidecar.StartAsync(appId, resources, app?.Port, options =>
            {
                options = options with { DataDirectory = directory };
                return configure?.Invoke(options) ?? options;
            });
            return new JobsHarness(app, sidecar, dataDirectory, ownsDirectory);
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>Call options with the test's cancellation token and the sidecar's API token, if it has one.</summary>
    public CallOptions Call()
    {
        var headers = new Metadata();
        if (Sidecar.Options.ApiToken is { } token)
        {
            headers.Add("dapr-api-token", token);
        }

        return new CallOptions(headers, cancellationToken: TestContext.Current.CancellationToken);
    }

    public async Task ScheduleAsync(DaprGrpc.Job job, bool overwrite = false) =>
        await Client.ScheduleJobAsync(new DaprGrpc.ScheduleJobRequest { Job = job, Overwrite = overwrite }, Call());

    /// <summary>True while the sidecar still has the job (GetJob fails once it finished or was deleted).</summary>
    public async Task<bool> ExistsAsync(string name)
    {
        try
        {
            await Client.GetJobAsync(new DaprGrpc.GetJobRequest { Name = name }, Call());
            return true;
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Internal && ex.Status.Detail.Contains("not found", StringComparison.Ordinal))
        {
            return false;
        }
    }

    public async Task WaitUntilGoneAsync(string name, TimeSpan timeout) =>
        await Eventually.MatchAsync(() => ExistsAsync(name), exists => !exists, timeout, $"job {name} finished");

    public int Triggers(string name) => Recorder.To($"/job/{name}").Count;

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await Sidecar.DisposeAsync();
        if (App is not null)
        {
            await App.DisposeAsync();
        }

        if (_ownsDataDirectory)
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }
}
