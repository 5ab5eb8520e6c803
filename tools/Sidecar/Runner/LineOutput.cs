namespace Sidecar.Runner;

/// <summary>
/// Where one source's lines go (an app's stdout/stderr or a sidecar's log): the console with the Dapr CLI's
/// prefix (<c>== APP - id ==</c>, <c>== DAPR - id ==</c>) and/or a log file under <c>&lt;appDirPath&gt;/.dapr/logs</c>,
/// as the CLI's appLogDestination/daprdLogDestination say.
/// </summary>
internal sealed class LineOutput : IDisposable
{
    private readonly string _prefix;
    private readonly Action<string>? _console;
    private readonly StreamWriter? _file;
    private readonly Lock _fileLock = new();

    public LineOutput(string prefix, Action<string> console, LogDestination destination, string? logFile)
    {
        _prefix = prefix;
        _console = destination is LogDestination.Console or LogDestination.FileAndConsole ? console : null;
        if (destination is LogDestination.File or LogDestination.FileAndConsole && logFile is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(logFile)!);
            _file = new StreamWriter(logFile, append: true) { AutoFlush = true };
            LogFile = logFile;
        }
    }

    public string? LogFile { get; }

    public void WriteLine(string line)
    {
        _console?.Invoke(_prefix + line);
        if (_file is not null)
        {
            lock (_fileLock)
            {
                _file.WriteLine(line);
            }
        }
    }

    public void Dispose()
    {
        lock (_fileLock)
        {
            _file?.Dispose();
        }
    }
}

/// <summary>An <see cref="ILoggerProvider"/> that writes one line per message to a <see cref="LineOutput"/>.</summary>
internal sealed class LineLoggerProvider(Action<string> writeLine, bool withCategory) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new LineLogger(writeLine, withCategory ? categoryName : null);

    public void Dispose()
    {
    }

    private sealed class LineLogger(Action<string> writeLine, string? category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var level = logLevel switch
            {
                LogLevel.Trace => "trace",
                LogLevel.Debug => "debug",
                LogLevel.Information => "info",
                LogLevel.Warning => "warn",
                LogLevel.Error => "error",
                _ => "fatal",
            };
            var source = category is null ? "" : $" {category}:";
            writeLine($"{level}:{source} {formatter(state, exception)}" + (exception is null ? "" : $" {exception}"));
        }
    }
}
