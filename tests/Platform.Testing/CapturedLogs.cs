using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Platform.Testing;

/// <summary>
/// Keeps every log line of a sidecar started in the test process: for a test that waits for something only the log
/// reports, and for a failure message that shows what the sidecar did.
/// </summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public bool Contains(string text) => _lines.Any(m => m.Contains(text, StringComparison.Ordinal));

    /// <summary>Every line so far, oldest first, each with its time and level.</summary>
    public string Dump() => string.Join(Environment.NewLine, _lines);

    public ILogger CreateLogger(string categoryName) => new Logger(_lines);

    public void Dispose()
    {
    }

    private sealed class Logger(ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{DateTime.UtcNow.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)} {logLevel}: {formatter(state, exception)}");
    }
}
