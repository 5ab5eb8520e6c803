using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Platform.Testing;
using Sidecar.Hosting;

namespace Sidecar.Tests.Resources;

/// <summary>Warnings found while loading (e.g. a misspelt metadata name) reach the sidecar's log at start-up.</summary>
public sealed class ResourceWarningLogTests : IDisposable
{
    private readonly ResourceFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private sealed class CapturingProvider : ILoggerProvider
    {
        public ConcurrentQueue<(LogLevel Level, string Message)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Capturing(Entries);

        public void Dispose()
        {
        }

        private sealed class Capturing(ConcurrentQueue<(LogLevel, string)> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                entries.Enqueue((logLevel, formatter(state, exception)));
        }
    }

    [Fact]
    public async Task StartAsync_UnknownMetadataName_LogsAWarningNamingFileAndField()
    {
        var file = _folder.Write("cron.yaml", ComponentYaml.Component("tick", "bindings.cron", "v1", [("schedule", "@every 1h"), ("shedule", "typo")]));
        var provider = new CapturingProvider();
        var options = new SidecarOptions { AppId = "warn-app", GrpcPort = 0, HttpPort = 0, ResourcesPaths = [_folder.Path], LogLevel = LogLevel.Warning };

        await using (await SidecarHost.StartAsync(options, logging => logging.AddProvider(provider), TestContext.Current.CancellationToken))
        {
            Assert.Contains(provider.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains($"{file}: spec.metadata.shedule", StringComparison.Ordinal));
        }
    }
}
