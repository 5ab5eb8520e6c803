using System.Diagnostics;
using Dapr.Workflow;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Sidecar.Tests.Workflow;

/// <summary>The workflow app (Workflow.TestHost) as a real process, so a crash test can SIGKILL it.</summary>
internal sealed class WorkflowHostProcess(string grpcEndpoint, string logFile) : IAsyncDisposable
{
    private readonly System.Text.StringBuilder _output = new();
    private Process? _process;

    /// <summary>What the host printed (across restarts), for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public string LogFile { get; } = logFile;

    public void Start()
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Workflow.TestHost.dll"));
        info.ArgumentList.Add(grpcEndpoint);
        info.ArgumentList.Add(LogFile);
        _process?.Dispose();
        _process = Process.Start(info) ?? throw new InvalidOperationException("could not start Workflow.TestHost");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    public int Count(string key) => global::Workflow.TestHost.ExecutionLog.CountInFile(LogFile, key);

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
    }
}

/// <summary>A DaprWorkflowClient with no worker: the host is built for its services but never started.</summary>
internal sealed class WorkflowClientOnly : IDisposable
{
    private readonly Microsoft.Extensions.Hosting.IHost _host;

    public WorkflowClientOnly(string grpcEndpoint)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration["DAPR_GRPC_ENDPOINT"] = grpcEndpoint;
        builder.Services.AddDaprWorkflow(_ => { });
        _host = builder.Build();
    }

    public DaprWorkflowClient Client => _host.Services.GetRequiredService<DaprWorkflowClient>();

    public void Dispose() => _host.Dispose();
}
