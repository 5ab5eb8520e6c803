using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Sidecar.Resources;
using StackExchange.Redis;

namespace Sidecar.PubSub;

/// <summary>Settings of pubsub.redis, with the defaults of the contrib code (not of metadata.yaml, which swaps two of them).</summary>
public sealed record RedisStreamsSettings(
    string Host,
    string? Username,
    string? Password,
    int Database,
    bool EnableTls,
    string ConsumerId,
    TimeSpan ProcessingTimeout,
    TimeSpan RedeliverInterval,
    int QueueDepth,
    int Concurrency,
    long? MaxLenApprox)
{
    public static RedisStreamsSettings From(ComponentResource component, string appId)
    {
        var metadata = component.Metadata;
        int Int(string name, int fallback, int min = 1) => metadata.Get(name) is { Length: > 0 } text
            ? int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min
                ? n
                : throw new ResourceException(component.SourceFile, $"spec.metadata.{name}", $"'{text}' is not an integer of at least {min}")
            : fallback;

        return new RedisStreamsSettings(
            metadata.Get("redisHost") is { Length: > 0 } host ? host : throw new ResourceException(component.SourceFile, "spec.metadata.redisHost", "is required"),
            metadata.Get("redisUsername") is { Length: > 0 } user ? user : null,
            metadata.Get("redisPassword") is { Length: > 0 } password ? password : null,
            Int("redisDB", 0, min: 0),
            metadata.GetBool("enableTLS"),
            // The runtime reads consumerID with exact case; the group defaults to the app id.
            metadata.GetExact("consumerID") is { Length: > 0 } consumer ? ExpandPlaceholders(consumer, appId) : appId,
            Duration(component, "processingTimeout", TimeSpan.FromSeconds(60)),
            Duration(component, "redeliverInterval", TimeSpan.FromSeconds(15)),
            Int("queueDepth", 100),
            Int("concurrency", 10),
            metadata.Get("maxLenApprox") is { Length: > 0 } max
                ? long.TryParse(max, NumberStyles.Integer, CultureInfo.InvariantCulture, out var m) && m >= 0
                    ? m
                    : throw new ResourceException(component.SourceFile, "spec.metadata.maxLenApprox", $"'{max}' is not an integer")
                : null);
    }

    /// <summary>A bare integer is milliseconds for these two fields (contrib parses it so), else a Go duration.</summary>
    private static TimeSpan Duration(ComponentResource component, string name, TimeSpan fallback)
    {
        if (component.Metadata.Get(name) is not { Length: > 0 } text)
        {
            return fallback;
        }

        if (ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
        {
            return TimeSpan.FromMilliseconds(ms);
        }

        return GoDuration.TryParse(text, out var duration) && duration >= TimeSpan.Zero
            ? duration
            : throw new ResourceException(component.SourceFile, $"spec.metadata.{name}", $"'{text}' is not a duration");
    }

    private static string ExpandPlaceholders(string value, string appId) => value
        .Replace("{appID}", appId, StringComparison.Ordinal)
        .Replace("{uuid}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
        .Replace("{podName}", Environment.MachineName, StringComparison.Ordinal)
        .Replace("{namespace}", "default", StringComparison.Ordinal);
}

/// <summary>
/// pubsub.redis on Redis Streams, laid out like components-contrib: XADD to a stream named by the topic with
/// a <c>data</c> field and a JSON <c>metadata</c> field; one consumer group (and consumer) named by
/// consumerID; <c>concurrency</c> workers; XACK on success. A failed handler is acknowledged too (contrib
/// ≥1.17: retries and dead-lettering happened above it), unless it ran past processingTimeout: such a message
/// stays pending and the reclaim loop (XPENDING + XCLAIM every redeliverInterval) delivers it again, which is
/// also how the messages of a crashed consumer come back.
/// </summary>
public sealed class RedisStreamsPubSub(string componentName, RedisStreamsSettings settings, ILogger logger) : IPubSubBroker, IBrokerLogging
{
    private ILogger _logger = logger;

    private static readonly TimeSpan EmptyPollDelay = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// The longest wait between two reads of a quiet stream. Our publishers' notice wakes the loop at once, so the
    /// backoff only delays messages added by someone else (or whose notice was lost), and it saves the ~20 empty
    /// reads a second per subscription that kept an idle runner busy (about 300 a second for the platform).
    /// </summary>
    private static readonly TimeSpan IdlePollDelay = TimeSpan.FromMilliseconds(500);
    private readonly CancellationTokenSource _disposed = new();
    private readonly List<Task> _tasks = [];
    private readonly Lock _tasksLock = new();
    private Channel<Work>? _queue;
    private ConnectionMultiplexer? _connection;

    public RedisStreamsSettings Settings => settings;

    private IDatabase Database => (_connection ?? throw new InvalidOperationException("not initialised")).GetDatabase(settings.Database);

    public void UseLogger(ILogger logger) => _logger = logger;

    public async Task InitAsync(CancellationToken cancellationToken)
    {
        var options = new ConfigurationOptions
        {
            EndPoints = { settings.Host },
            User = settings.Username,
            Password = settings.Password,
            Ssl = settings.EnableTls,
            AbortOnConnectFail = true,
            ConnectTimeout = 5000,
        };
        _connection = await ConnectionMultiplexer.ConnectAsync(options);
        await Database.PingAsync();
        _queue = Channel.CreateBounded<Work>(settings.QueueDepth);
        for (var i = 0; i < settings.Concurrency; i++)
        {
            Track(Task.Run(WorkerAsync, CancellationToken.None));
        }
    }

    public async Task PublishAsync(string topic, ReadOnlyMemory<byte> data, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        var fields = new List<NameValueEntry> { new("data", data.ToArray()) };
        if (metadata.Count > 0)
        {
            // Go marshals map[string]string with sorted keys.
            var sorted = new SortedDictionary<string, string>(metadata.ToDictionary(), StringComparer.Ordinal);
            fields.Add(new NameValueEntry("metadata", JsonSerializer.Serialize(sorted, PubSubJsonContext.Default.SortedDictionaryStringString)));
        }

        await Database.StreamAddAsync(topic, [.. fields], maxLength: settings.MaxLenApprox, useApproximateMaxLength: settings.MaxLenApprox is not null);
        // Wakes our subscribers now instead of at their next poll (invisible to apps; a real daprd publisher just isn't this fast).
        await _connection!.GetSubscriber().PublishAsync(WakeChannel(topic), RedisValue.EmptyString, CommandFlags.FireAndForget);
    }

    public async Task SubscribeAsync(string topic, Func<BrokerMessage, CancellationToken, Task> handler, CancellationToken stoppingToken)
    {
        // A slow or absent Redis here must not fail the sidecar's start-up (the app's other subscriptions, the
        // outbox relay and readiness come after this call): the poll loop creates the group when this attempt fails.
        var groupMissing = false;
        try
        {
            await CreateGroupAsync(topic);
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            PubSubLog.RedisLoopFailed(_logger, componentName, topic, ex.Message);
            groupMissing = true;
        }

        var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, _disposed.Token);
        var wake = new SemaphoreSlim(0, 1);
        try
        {
            await _connection!.GetSubscriber().SubscribeAsync(WakeChannel(topic), (_, _) => Signal(wake));
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            // The notice only shortens the wait; polling alone still reads every message.
            PubSubLog.RedisLoopFailed(_logger, componentName, topic, ex.Message);
        }

        var poll = Task.Run(() => PollLoopAsync(topic, handler, wake, groupMissing, linked.Token), CancellationToken.None);
        var reclaim = Task.Run(() => ReclaimLoopAsync(topic, handler, linked.Token), CancellationToken.None);
        Track(Task.WhenAll(poll, reclaim).ContinueWith(_ => linked.Dispose(), TaskScheduler.Default));
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        await _disposed.CancelAsync();
        Task[] tasks;
        lock (_tasksLock)
        {
            tasks = [.. _tasks];
        }

        await Task.WhenAll(tasks);
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        _disposed.Dispose();
    }

    private void Track(Task task)
    {
        lock (_tasksLock)
        {
            _tasks.Add(task);
        }
    }

    private async Task CreateGroupAsync(string stream)
    {
        try
        {
            await Database.StreamCreateConsumerGroupAsync(stream, settings.ConsumerId, "0", createStream: true);
        }
        catch (RedisServerException ex) when (ex.Message.Contains("BUSYGROUP", StringComparison.Ordinal))
        {
            // The group exists already (another replica, or an earlier run): join it.
        }
    }

    /// <summary>
    /// A Redis pub/sub channel our publishers notify after each XADD. Polling stays the source of truth (a message
    /// published by anyone else is read at the next poll); the notice only cuts the wait, without a blocking
    /// XREADGROUP, which would need a connection per subscription.
    /// </summary>
    private static RedisChannel WakeChannel(string stream) => RedisChannel.Literal("sidecar:stream-added:" + stream);

    private static void Signal(SemaphoreSlim wake)
    {
        try
        {
            wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: the next read takes every new entry anyway.
        }
    }

    private async Task PollLoopAsync(string stream, Func<BrokerMessage, CancellationToken, Task> handler, SemaphoreSlim wake, bool recreateGroup, CancellationToken token)
    {
        var emptyWait = EmptyPollDelay;
        while (!token.IsCancellationRequested)
        {
            try
            {
                if (recreateGroup)
                {
                    await CreateGroupAsync(stream);
                    recreateGroup = false;
                }

                var entries = await Database.StreamReadGroupAsync(stream, settings.ConsumerId, settings.ConsumerId, StreamPosition.NewMessages, settings.QueueDepth);
                if (entries.Length == 0)
                {
                    // Each empty read doubles the wait up to IdlePollDelay; a notice ends it early.
                    var woken = await wake.WaitAsync(emptyWait, token);
                    emptyWait = woken ? EmptyPollDelay : TimeSpan.FromTicks(Math.Min(emptyWait.Ticks * 2, IdlePollDelay.Ticks));
                    continue;
                }

                emptyWait = EmptyPollDelay;
                await EnqueueAsync(stream, entries, handler, token);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (RedisServerException ex) when (ex.Message.Contains("NOGROUP", StringComparison.Ordinal))
            {
                // The stream or group was deleted (data loss, or a reset): recreate it like contrib does.
                PubSubLog.RedisLoopFailed(_logger, componentName, stream, ex.Message);
                // Inside the try at the top of the loop: a failed creation (Redis slow or away) used to end the loop for good.
                recreateGroup = true;
            }
            catch (Exception ex) when (IsRedisFailure(ex))
            {
                PubSubLog.RedisLoopFailed(_logger, componentName, stream, ex.Message);
                await DelayQuietlyAsync(TimeSpan.FromSeconds(1), token);
            }
        }
    }

    private async Task ReclaimLoopAsync(string stream, Func<BrokerMessage, CancellationToken, Task> handler, CancellationToken token)
    {
        // Zero for either setting disables redelivery in contrib.
        if (settings.ProcessingTimeout == TimeSpan.Zero || settings.RedeliverInterval == TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(settings.RedeliverInterval);
        do
        {
            try
            {
                await ReclaimAsync(stream, handler, token);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (IsRedisFailure(ex))
            {
                PubSubLog.RedisLoopFailed(_logger, componentName, stream, ex.Message);
            }
        }
        while (await WaitQuietlyAsync(timer, token));
    }

    private async Task ReclaimAsync(string stream, Func<BrokerMessage, CancellationToken, Task> handler, CancellationToken token)
    {
        var minIdle = (long)settings.ProcessingTimeout.TotalMilliseconds;
        while (!token.IsCancellationRequested)
        {
            var pending = await Database.StreamPendingMessagesAsync(stream, settings.ConsumerId, settings.QueueDepth, RedisValue.Null);
            var ids = pending.Where(p => p.IdleTimeInMilliseconds >= minIdle).Select(p => p.MessageId).ToArray();
            if (ids.Length == 0)
            {
                return;
            }

            var claimed = await Database.StreamClaimAsync(stream, settings.ConsumerId, settings.ConsumerId, minIdle, ids);
            var live = claimed.Where(e => !e.IsNull).ToArray();
            PubSubLog.RedisReclaimed(_logger, componentName, stream, live.Length);
            var gone = ids.Except(live.Select(e => e.Id)).ToArray();
            if (gone.Length > 0)
            {
                // Pending entries whose message was trimmed or deleted can never be delivered: drop them from the PEL.
                await Database.StreamAcknowledgeAsync(stream, settings.ConsumerId, gone);
            }

            await EnqueueAsync(stream, live, handler, token);
        }
    }

    private async Task EnqueueAsync(string stream, IEnumerable<StreamEntry> entries, Func<BrokerMessage, CancellationToken, Task> handler, CancellationToken token)
    {
        foreach (var entry in entries)
        {
            await _queue!.Writer.WriteAsync(new Work(stream, entry, handler, token), token);
        }
    }

    private async Task WorkerAsync()
    {
        try
        {
            await foreach (var work in _queue!.Reader.ReadAllAsync(_disposed.Token))
            {
                await ProcessAsync(work);
            }
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            // Component closed.
        }
    }

    private async Task ProcessAsync(Work work)
    {
        var id = work.Entry.Id.ToString();
        var message = new BrokerMessage(work.Stream, (byte[]?)work.Entry["data"] ?? [], ReadMetadata(work.Entry, id, work.Stream));
        var started = Stopwatch.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(work.Token);
        if (settings.ProcessingTimeout > TimeSpan.Zero && settings.RedeliverInterval > TimeSpan.Zero)
        {
            timeout.CancelAfter(settings.ProcessingTimeout);
        }

        try
        {
            await work.Handler(message, timeout.Token);
        }
        catch (Exception ex)
        {
            PubSubLog.RedisProcessingFailed(_logger, componentName, id, work.Stream, ex.Message);
            // Cut off by our own processingTimeout token is overrunning by definition. The elapsed time alone is not
            // enough: the timer may fire a fraction of a millisecond before the stopwatch reaches the timeout, and such
            // an entry was acknowledged and never redelivered (the flaky redelivery test of sessions 3–5).
            var overran = timeout.IsCancellationRequested
                || (settings.ProcessingTimeout > TimeSpan.Zero && Stopwatch.GetElapsedTime(started) >= settings.ProcessingTimeout);
            // An injected crash is a process dying mid-handler: nothing acknowledges the entry.
            if (overran || work.Token.IsCancellationRequested || ex is Faults.SimulatedCrashException)
            {
                // Left pending: the reclaim loop (here or in another replica) delivers it again.
                return;
            }
        }

        try
        {
            await Database.StreamAcknowledgeAsync(work.Stream, settings.ConsumerId, work.Entry.Id);
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            // Left pending: the reclaim loop delivers it again, which at-least-once allows.
            PubSubLog.RedisProcessingFailed(_logger, componentName, id, work.Stream, $"XACK failed: {ex.Message}");
        }
    }

    /// <summary>
    /// A failed Redis call, which the loops survive. RedisTimeoutException derives from TimeoutException, not
    /// RedisException: when only the latter was caught, one slow Redis answer ended a subscription's poll or reclaim
    /// loop (or a worker) for good, silently.
    /// </summary>
    private static bool IsRedisFailure(Exception ex) => ex is RedisException or RedisTimeoutException;

    private Dictionary<string, string> ReadMetadata(StreamEntry entry, string id, string stream)
    {
        var raw = entry["metadata"];
        if (raw.IsNullOrEmpty)
        {
            return [];
        }

        try
        {
            return JsonSerializer.Deserialize(raw.ToString(), PubSubJsonContext.Default.DictionaryStringString) ?? [];
        }
        catch (JsonException ex)
        {
            // contrib warns and delivers without metadata.
            PubSubLog.RedisProcessingFailed(_logger, componentName, id, stream, $"unreadable metadata: {ex.Message}");
            return [];
        }
    }

    private static async Task DelayQuietlyAsync(TimeSpan delay, CancellationToken token)
    {
        try
        {
            await Task.Delay(delay, token);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The loop checks the token next.
        }
    }

    private static async Task<bool> WaitQuietlyAsync(PeriodicTimer timer, CancellationToken token)
    {
        try
        {
            return await timer.WaitForNextTickAsync(token);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            return false;
        }
    }

    private sealed record Work(string Stream, StreamEntry Entry, Func<BrokerMessage, CancellationToken, Task> Handler, CancellationToken Token);
}
