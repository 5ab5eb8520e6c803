using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Sidecar.Hosting;

namespace Sidecar.Jobs;

/// <summary>A job that cannot be scheduled as given (daprd answers InvalidArgument).</summary>
public sealed class InvalidJobException(string message) : Exception(message);

/// <summary>A job of that name exists and overwrite was false.</summary>
public sealed class JobExistsException(string name) : Exception($"job already exists: {name}");

/// <summary>What a "trigger now" did.</summary>
public enum TriggerOutcome
{
    Delivered,
    Failed,
    NotFound,
    Busy,
}

/// <summary>
/// The Scheduler's part of daprd (contract §7.1), in process: keeps the app's jobs durable in a <see cref="JobStore"/>,
/// fires <c>POST /job/{name}</c> when one is due, applies the failure policy, counts repeats and honours ttl.
/// Jobs load at construction (so Get works at once) and fire only after <see cref="StartAsync"/>, i.e. once the app is reachable.
/// </summary>
public sealed class JobScheduler : IAsyncDisposable
{
    /// <summary>daprd's default when a job names no failure policy: constant 1 s, 3 retries (docs).</summary>
    private static readonly JobFailurePolicy DefaultFailurePolicy = new()
    {
        Constant = new JobFailurePolicyConstant { Interval = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)), MaxRetries = 3 },
    };

    private readonly Lock _gate = new();
    private readonly Dictionary<string, ScheduledJob> _jobs = new(StringComparer.Ordinal);
    private readonly HashSet<Task> _deliveries = [];
    private readonly SemaphoreSlim _wake = new(0);
    private readonly JobStore _store;
    private readonly AppChannel _app;
    private readonly TimeProvider _time;
    private readonly ILogger<JobScheduler> _logger;
    private Task? _loop;

    public JobScheduler(SidecarOptions options, AppChannel app, TimeProvider time, ILogger<JobScheduler> logger)
    {
        _store = new JobStore(options.EffectiveDataDirectory);
        _app = app;
        _time = time;
        _logger = logger;
        var now = time.GetUtcNow();
        foreach (var persisted in _store.Load())
        {
            var job = ScheduledJob.Restore(persisted, now);
            _jobs[job.Name] = job;
        }

        JobsLog.JobsLoaded(logger, _jobs.Count, _store.FilePath);
    }

    /// <summary>Validates and stores a job; it fires once <see cref="StartAsync"/> ran.</summary>
    /// <exception cref="InvalidJobException">The job is malformed.</exception>
    /// <exception cref="JobExistsException">A job of that name exists and <paramref name="overwrite"/> is false.</exception>
    public void Schedule(Job job, bool overwrite)
    {
        var scheduled = ScheduledJob.Create(job.Clone(), _time.GetUtcNow());
        lock (_gate)
        {
            if (!overwrite && _jobs.ContainsKey(job.Name))
            {
                throw new JobExistsException(job.Name);
            }

            _jobs[job.Name] = scheduled;
            PersistLocked();
        }

        JobsLog.JobScheduled(_logger, job.Name, scheduled.NextAt);
        _wake.Release();
    }

    public Job? Get(string name)
    {
        lock (_gate)
        {
            return _jobs.TryGetValue(name, out var job) ? job.Job.Clone() : null;
        }
    }

    /// <returns>False when there was no such job.</returns>
    public bool Delete(string name)
    {
        lock (_gate)
        {
            if (!_jobs.Remove(name))
            {
                return false;
            }

            PersistLocked();
        }

        _wake.Release();
        return true;
    }

    /// <summary>Starts firing due jobs; overdue ones (e.g. from before a restart) fire at once.</summary>
    public Task StartAsync(CancellationToken stoppingToken)
    {
        if (!_app.HasApp)
        {
            // daprd without an app channel has nobody to deliver to; the jobs stay stored.
            JobsLog.NoAppChannel(_logger);
            return Task.CompletedTask;
        }

        _loop ??= Task.Run(() => RunAsync(stoppingToken), CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>Test hook: fires a job now (counting as one of its triggers), with its failure policy.</summary>
    public async Task<TriggerOutcome> TriggerNowAsync(string name, CancellationToken cancellationToken)
    {
        ScheduledJob? job;
        lock (_gate)
        {
            if (!_jobs.TryGetValue(name, out job))
            {
                return TriggerOutcome.NotFound;
            }

            if (job.InFlight)
            {
                return TriggerOutcome.Busy;
            }

            job.InFlight = true;
        }

        bool delivered;
        try
        {
            delivered = await DeliverAsync(job, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The caller gave up: nothing was counted, the job stays as it was.
            lock (_gate)
            {
                job.InFlight = false;
            }

            throw;
        }

        Complete(job, plannedAt: null);

        return delivered ? TriggerOutcome.Delivered : TriggerOutcome.Failed;
    }

    public async ValueTask DisposeAsync()
    {
        Task[] pending;
        lock (_gate)
        {
            pending = [.. _deliveries];
        }

        if (_loop is not null)
        {
            pending = [.. pending, _loop];
        }

        // The loop and deliveries stop on the host's stopping token; wait so no write races the shutdown.
        await Task.WhenAll(pending.Select(t => t.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default)));
        _wake.Dispose();
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = _time.GetUtcNow();
            DateTimeOffset? earliest = null;
            lock (_gate)
            {
                foreach (var job in _jobs.Values.Where(j => !j.InFlight && j.NextAt is not null))
                {
                    if (job.NextAt <= now)
                    {
                        job.InFlight = true;
                        var planned = job.NextAt.Value;
                        var delivery = Task.Run(() => FireAsync(job, planned, stoppingToken), CancellationToken.None);
                        _deliveries.Add(delivery);
                        _ = delivery.ContinueWith(t => { lock (_gate) { _deliveries.Remove(t); } }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                    }
                    else if (earliest is null || job.NextAt < earliest)
                    {
                        earliest = job.NextAt;
                    }
                }
            }

            // Sleep until the earliest job is due or the job set changes (capped so clock jumps are noticed).
            var delay = earliest is { } at ? at - now : TimeSpan.FromMinutes(1);
            delay = TimeSpan.FromTicks(Math.Clamp(delay.Ticks, 0, TimeSpan.FromMinutes(1).Ticks));
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            try
            {
                await Task.WhenAny(_wake.WaitAsync(wait.Token), Task.Delay(delay, _time, wait.Token));
            }
            finally
            {
                await wait.CancelAsync();
            }
        }
    }

    private async Task FireAsync(ScheduledJob job, DateTimeOffset planned, CancellationToken stoppingToken)
    {
        try
        {
            await DeliverAsync(job, stoppingToken);
            Complete(job, planned);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down mid-delivery: the job stays due and fires again after a restart (at least once).
        }
        catch (Exception ex)
        {
            // Nobody awaits a delivery: log it, and retry in a second rather than spinning on a persistent fault.
            JobsLog.FireCrashed(_logger, job.Name, ex);
            lock (_gate)
            {
                job.InFlight = false;
                var retryAt = _time.GetUtcNow().AddSeconds(1);
                if (job.NextAt < retryAt)
                {
                    job.NextAt = retryAt;
                }
            }
        }
    }

    /// <summary>Counts the trigger and plans the next one, or ends the job (repeats used up, ttl passed, one-shot).</summary>
    private void Complete(ScheduledJob job, DateTimeOffset? plannedAt)
    {
        lock (_gate)
        {
            job.InFlight = false;
            if (!_jobs.TryGetValue(job.Name, out var current) || !ReferenceEquals(current, job))
            {
                return; // Deleted or overwritten meanwhile.
            }

            job.Triggered++;
            if (plannedAt is { } planned)
            {
                job.NextAt = job.NextAfterTrigger(planned, _time.GetUtcNow());
            }
            else if (job.Schedule is null || job.LimitReached)
            {
                job.NextAt = null;
            }

            if (job.NextAt is null)
            {
                _jobs.Remove(job.Name);
                JobsLog.JobFinished(_logger, job.Name, job.Triggered);
            }

            PersistLocked();
        }

        _wake.Release();
    }

    /// <summary>One trigger, retried per the job's failure policy.</summary>
    private async Task<bool> DeliverAsync(ScheduledJob job, CancellationToken cancellationToken)
    {
        var policy = job.Job.FailurePolicy ?? DefaultFailurePolicy;
        for (uint attempt = 0; ; attempt++)
        {
            if (await SendAsync(job, cancellationToken))
            {
                return true;
            }

            if (policy.PolicyCase != JobFailurePolicy.PolicyOneofCase.Constant ||
                (policy.Constant.HasMaxRetries && attempt >= policy.Constant.MaxRetries))
            {
                JobsLog.JobGaveUp(_logger, job.Name, attempt + 1);
                return false;
            }

            await Task.Delay(policy.Constant.Interval?.ToTimeSpan() ?? TimeSpan.Zero, _time, cancellationToken);
            lock (_gate)
            {
                if (!_jobs.TryGetValue(job.Name, out var current) || !ReferenceEquals(current, job))
                {
                    return false; // Deleted or overwritten while waiting to retry.
                }
            }
        }
    }

    private async Task<bool> SendAsync(ScheduledJob job, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("job/" + Uri.EscapeDataString(job.Name), UriKind.Relative));
        request.Content = new ByteArrayContent(TriggerBody(job.Job.Data));
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("traceparent", $"00-{ActivityTraceId.CreateRandom().ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        try
        {
            using var response = await _app.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            // 404: the app has no handler; daprd counts that as done rather than retrying forever.
            if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.NotFound)
            {
                JobsLog.JobTriggered(_logger, job.Name, (int)response.StatusCode);
                return true;
            }

            JobsLog.JobTriggerFailed(_logger, job.Name, $"app answered {(int)response.StatusCode}");
            return false;
        }
        catch (HttpRequestException ex)
        {
            JobsLog.JobTriggerFailed(_logger, job.Name, ex.Message);
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient's timeout: a failed attempt like any other, subject to the failure policy.
            JobsLog.JobTriggerFailed(_logger, job.Name, "the app did not answer in time");
            return false;
        }
    }

    /// <summary>daprd sends the Any's bytes, whitespace-trimmed; a google.protobuf.Value goes as its JSON.</summary>
    internal static byte[] TriggerBody(Any? data)
    {
        if (data is null)
        {
            return [];
        }

        if (data.Is(Value.Descriptor))
        {
            // Compact, as Go's protojson writes it.
            using var json = System.Text.Json.JsonDocument.Parse(JsonFormatter.Default.Format(data.Unpack<Value>()));
            return System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(json.RootElement);
        }

        var bytes = data.Value.Span;
        var start = 0;
        var end = bytes.Length;
        while (start < end && IsSpace(bytes[start]))
        {
            start++;
        }

        while (end > start && IsSpace(bytes[end - 1]))
        {
            end--;
        }

        return bytes[start..end].ToArray();

        static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'\v' or (byte)'\f';
    }

    private void PersistLocked() =>
        _store.Save(_jobs.Values.Select(j => PersistedJob.From(j.Job, j.CreatedAt, j.NextAt, j.Triggered)));

    /// <summary>A stored job and its progress; mutated only under the scheduler's lock.</summary>
    private sealed class ScheduledJob
    {
        private ScheduledJob(Job job, Schedule? schedule, DateTimeOffset createdAt, DateTimeOffset? expiresAt, uint? maxTriggers)
        {
            Job = job;
            Schedule = schedule;
            CreatedAt = createdAt;
            ExpiresAt = expiresAt;
            MaxTriggers = maxTriggers;
        }

        public string Name => Job.Name;

        public Job Job { get; }

        public Schedule? Schedule { get; }

        public DateTimeOffset CreatedAt { get; }

        public DateTimeOffset? ExpiresAt { get; }

        public uint? MaxTriggers { get; }

        /// <summary>Null once the job is done.</summary>
        public DateTimeOffset? NextAt { get; set; }

        public uint Triggered { get; set; }

        public bool InFlight { get; set; }

        public bool LimitReached => Triggered >= MaxTriggers;

        public static ScheduledJob Create(Job job, DateTimeOffset now)
        {
            var scheduled = Parse(job, now);
            scheduled.NextAt = scheduled.FirstTrigger();
            if (scheduled.NextAt is null)
            {
                throw new InvalidJobException(scheduled.ExpiresAt is not null
                    ? $"job '{job.Name}' would expire (ttl) before its first trigger"
                    : $"schedule '{job.Schedule}' of job '{job.Name}' never triggers");
            }

            return scheduled;
        }

        /// <summary>After a restart: overdue one-shots fire at once; overdue recurring jobs resume at their next occurrence.</summary>
        public static ScheduledJob Restore(PersistedJob persisted, DateTimeOffset now)
        {
            var scheduled = Parse(persisted.ToJob(), persisted.CreatedAt);
            scheduled.Triggered = persisted.Triggered;
            scheduled.NextAt = persisted.NextAt;
            if (scheduled.Schedule is not null && persisted.NextAt < now)
            {
                scheduled.NextAt = scheduled.Bounded(scheduled.Schedule.NextAfter(now));
            }

            return scheduled;
        }

        public DateTimeOffset? NextAfterTrigger(DateTimeOffset planned, DateTimeOffset now)
        {
            if (Schedule is null || LimitReached)
            {
                return null;
            }

            // A trigger that ran late (slow app, retries) skips the missed occurrences instead of bursting.
            var next = Schedule.NextAfter(planned);
            if (next < now)
            {
                next = Schedule.NextAfter(now);
            }

            return Bounded(next);
        }

        private DateTimeOffset? FirstTrigger()
        {
            var first = Job.HasDueTime
                ? ResolveTime(Job.DueTime, "due time", CreatedAt)
                : Schedule!.NextAfter(CreatedAt);
            return Bounded(first);
        }

        private DateTimeOffset? Bounded(DateTimeOffset? next) => next > ExpiresAt ? null : next;

        private static ScheduledJob Parse(Job job, DateTimeOffset createdAt)
        {
            if (string.IsNullOrEmpty(job.Name))
            {
                throw new InvalidJobException("job name is empty");
            }

            if (!job.HasSchedule && !job.HasDueTime)
            {
                throw new InvalidJobException($"job '{job.Name}' needs a schedule or a due time (both are empty)");
            }

            Schedule? schedule = null;
            if (job.HasSchedule && !ScheduleParser.TryParse(job.Schedule, CronFieldCount.SixOnly, out schedule, out var error))
            {
                throw new InvalidJobException($"invalid schedule '{job.Schedule}' of job '{job.Name}': {error}");
            }

            if (job.HasDueTime)
            {
                ResolveTime(job.DueTime, "due time", createdAt);
            }

            DateTimeOffset? expiresAt = job.HasTtl ? ResolveTime(job.Ttl, "ttl", createdAt) : null;
            if (job.FailurePolicy?.Constant?.Interval is { } interval && interval.ToTimeSpan() < TimeSpan.Zero)
            {
                throw new InvalidJobException($"failure policy interval of job '{job.Name}' is negative");
            }

            uint? maxTriggers = (job.HasRepeats, schedule?.ImpliedRepeats) switch
            {
                (true, { } implied) => Math.Min(job.Repeats, implied),
                (true, null) => job.Repeats,
                (false, var implied) => implied,
            };
            if (maxTriggers == 0)
            {
                maxTriggers = null; // repeats 0 means "not set" on the wire.
            }

            return new ScheduledJob(job, schedule, createdAt, expiresAt, maxTriggers);
        }

        private static DateTimeOffset ResolveTime(string text, string what, DateTimeOffset createdAt) =>
            JobTime.TryResolve(text, createdAt, out var at)
                ? at
                : throw new InvalidJobException($"{what} '{text}' is neither RFC 3339, a Go duration nor an ISO 8601 duration");
    }
}
