using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Sidecar.Components;
using Sidecar.Hosting;
using Sidecar.Jobs;
using Sidecar.Resources;

namespace Sidecar.Bindings;

/// <summary>What a cron "trigger now" did.</summary>
public enum CronTriggerOutcome
{
    Delivered,
    Failed,
    NotFound,
    NotListening,
}

/// <summary>One loaded bindings.cron component.</summary>
/// <param name="DirectionInput">direction lists input: no probe needed.</param>
/// <param name="IsInput">No direction, or one that lists input; daprd never reads an output-only binding.</param>
public sealed record CronBinding(string Name, string Route, string ScheduleText, Schedule Schedule, bool DirectionInput, bool IsInput)
{
    /// <summary>Reads a component; a missing or malformed schedule stops start-up, as daprd's component init does.</summary>
    public static CronBinding From(ComponentResource component)
    {
        var text = component.Metadata.Get("schedule");
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new ResourceException(component.SourceFile, "spec.metadata.schedule", $"cron binding '{component.Name}' needs a schedule");
        }

        if (!ScheduleParser.TryParse(text, CronFieldCount.FiveOrSix, out var schedule, out var error))
        {
            throw new ResourceException(component.SourceFile, "spec.metadata.schedule", $"invalid schedule format: {text}: {error}");
        }

        var direction = component.Metadata.Get("direction");
        var input = direction is not null && direction.Split(',', StringSplitOptions.TrimEntries).Contains("input", StringComparer.OrdinalIgnoreCase);
        var route = component.Metadata.GetOrDefault("route", component.Name).TrimStart('/');
        return new CronBinding(component.Name, route, text, schedule, input, direction is null || input);
    }
}

/// <summary>
/// daprd's bindings.cron input binding (contract §7.2): after the app is reachable, probe <c>OPTIONS /&lt;route&gt;</c>
/// (skipped when direction lists input), then <c>POST /&lt;route&gt;</c> on every tick with an empty body. Schedules run
/// in UTC (daprd uses the process' local zone, UTC in containers). Ticks are not persisted and a failed or missed tick is
/// not made up: the next one comes on schedule.
/// </summary>
public sealed class CronBindings : IAsyncDisposable
{
    private readonly Dictionary<string, CronBinding> _bindings;
    private readonly HashSet<string> _listening = new(StringComparer.Ordinal);
    private readonly List<Task> _loops = [];
    private readonly AppChannel _app;
    private readonly TimeProvider _time;
    private readonly ILogger<CronBindings> _logger;

    public CronBindings(ComponentRegistry registry, AppChannel app, TimeProvider time, ILogger<CronBindings> logger)
    {
        _bindings = registry.Others
            .Where(c => c.Type == "bindings.cron")
            .Select(CronBinding.From)
            .ToDictionary(b => b.Name, StringComparer.Ordinal);
        _app = app;
        _time = time;
        _logger = logger;
    }

    public IReadOnlyCollection<CronBinding> Bindings => _bindings.Values;

    /// <summary>Probes the app for each binding and starts the tick loops of those it listens to.</summary>
    public async Task StartAsync(CancellationToken stoppingToken)
    {
        if (!_app.HasApp)
        {
            return;
        }

        foreach (var binding in _bindings.Values)
        {
            if (!binding.IsInput)
            {
                JobsLog.CronNotListening(_logger, binding.Name, binding.Route, "direction does not list input");
                continue;
            }

            if (!binding.DirectionInput && await ProbeAsync(binding, stoppingToken) is { } reason)
            {
                JobsLog.CronNotListening(_logger, binding.Name, binding.Route, reason);
                continue;
            }

            JobsLog.CronListening(_logger, binding.Name, binding.Route, binding.ScheduleText);
            lock (_listening)
            {
                _listening.Add(binding.Name);
                _loops.Add(Task.Run(() => RunAsync(binding, stoppingToken), CancellationToken.None));
            }
        }
    }

    /// <summary>Test hook: one tick now, outside the schedule.</summary>
    public async Task<CronTriggerOutcome> TriggerNowAsync(string name, CancellationToken cancellationToken)
    {
        if (!_bindings.TryGetValue(name, out var binding))
        {
            return CronTriggerOutcome.NotFound;
        }

        lock (_listening)
        {
            if (!_listening.Contains(name))
            {
                return CronTriggerOutcome.NotListening;
            }
        }

        return await SendAsync(binding, cancellationToken) ? CronTriggerOutcome.Delivered : CronTriggerOutcome.Failed;
    }

    public async ValueTask DisposeAsync()
    {
        Task[] loops;
        lock (_listening)
        {
            loops = [.. _loops];
        }

        // The loops end on the host's stopping token; wait so none outlives the host.
        await Task.WhenAll(loops.Select(t => t.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default)));
    }

    /// <returns>Null when the app listens (2xx or 405), else why not.</returns>
    private async Task<string?> ProbeAsync(CronBinding binding, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, new Uri(binding.Route, UriKind.Relative));
        try
        {
            using var response = await _app.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            return response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.MethodNotAllowed
                ? null
                : $"OPTIONS answered {(int)response.StatusCode}";
        }
        catch (HttpRequestException ex)
        {
            return $"OPTIONS failed: {ex.Message}";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return "OPTIONS timed out";
        }
    }

    private async Task RunAsync(CronBinding binding, CancellationToken stoppingToken)
    {
        try
        {
            var next = binding.Schedule.NextAfter(_time.GetUtcNow());
            while (next is { } at)
            {
                var wait = at - _time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _time, stoppingToken);
                }

                await SendAsync(binding, stoppingToken);
                // robfig/cron plans from the tick it ran; a tick missed while the app was slow is skipped.
                var now = _time.GetUtcNow();
                next = binding.Schedule.NextAfter(at);
                if (next < now)
                {
                    next = binding.Schedule.NextAfter(now);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Sidecar stopping.
        }
    }

    private async Task<bool> SendAsync(CronBinding binding, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(binding.Route, UriKind.Relative));
        request.Content = new ByteArrayContent([]);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        // The cron component's read metadata, which daprd passes as headers: robfig's zone name and Go's time.String().
        request.Headers.TryAddWithoutValidation("timeZone", "Local");
        request.Headers.TryAddWithoutValidation("readTimeUTC", GoTimeString(_time.GetUtcNow()));
        request.Headers.TryAddWithoutValidation("traceparent", $"00-{ActivityTraceId.CreateRandom().ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        try
        {
            using var response = await _app.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return true;
            }

            JobsLog.CronTriggerFailed(_logger, binding.Name, binding.Route, $"app answered {(int)response.StatusCode}");
            return false;
        }
        catch (HttpRequestException ex)
        {
            JobsLog.CronTriggerFailed(_logger, binding.Name, binding.Route, ex.Message);
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient's timeout; the next tick comes on schedule anyway.
            JobsLog.CronTriggerFailed(_logger, binding.Name, binding.Route, "the app did not answer in time");
            return false;
        }
    }

    /// <summary>Go's <c>time.Now().UTC().String()</c>, e.g. <c>2021-06-02 08:08:55.000742456 +0000 UTC</c>.</summary>
    internal static string GoTimeString(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture) + " +0000 UTC";
}
