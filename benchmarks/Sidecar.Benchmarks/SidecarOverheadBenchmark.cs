using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Npgsql;
using Platform.Testing;
using StackExchange.Redis;

namespace Sidecar.Benchmarks;

/// <summary>
/// Sidecar overhead against doing the same work directly, on the same servers, interleaved:
/// SaveState+GetState on state.postgresql v2 vs an Npgsql upsert+select, and publish→delivery on pubsub.redis
/// vs XADD→XREADGROUP by hand.
/// </summary>
internal static class SidecarOverheadBenchmark
{
    public static async Task<string> RunAsync(PostgresServer postgres, RedisServer redis, int iterations, int repetitions, int pubSubIterations)
    {
        var ct = CancellationToken.None;
        var connectionString = await postgres.CreateDatabaseAsync("bench");
        var database = connectionString.Split(' ').Single(p => p.StartsWith("database=", StringComparison.Ordinal))["database=".Length..];

        var received = new ConcurrentDictionary<int, TaskCompletionSource>();
        await using var app = await TestApp.StartAsync(web =>
            web.MapPost("/bench", (BenchEvent e) =>
            {
                if (received.TryRemove(e.Seq, out var done))
                {
                    done.TrySetResult();
                }

                return Results.Ok();
            }).WithTopic("pubsub", "bench-topic"));

        var resources = ComponentYaml.PostgresV2("bench-store", connectionString) + ComponentYaml.RedisPubSub("pubsub", redis.Address);
        await using var sidecar = await TestSidecar.StartAsync("bench", resources, appPort: app.Port);
        await Eventually.MatchAsync(() => sidecar.Client.CheckHealthAsync(ct), ready => ready, TimeSpan.FromSeconds(30), "sidecar ready");

        await using var dataSource = NpgsqlDataSource.Create(postgres.NpgsqlConnectionString(database));
        await using (var create = dataSource.CreateCommand(
            "CREATE TABLE IF NOT EXISTS direct_state (key text PRIMARY KEY, value bytea NOT NULL, etag uuid NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz, expires_at timestamptz)"))
        {
            await create.ExecuteNonQueryAsync(ct);
        }

        var payload = new BenchState("order-42", "customer-7", 3, 129.90m, "Pending", new string('x', 120));
        var payloadBytes = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(payload, System.Text.Json.JsonSerializerOptions.Web);

        var stateBaseline = new List<Measurement>();
        var stateVariant = new List<Measurement>();
        for (var rep = 0; rep < repetitions; rep++)
        {
            stateBaseline.Add(await Measurement.RunAsync("direct Npgsql", 200, iterations, async i =>
            {
                var key = $"bench||k{i % 100}";
                await using (var upsert = dataSource.CreateCommand(
                    "INSERT INTO direct_state (key, value, etag) VALUES ($1, $2, gen_random_uuid()) ON CONFLICT (key) DO UPDATE SET value = excluded.value, etag = gen_random_uuid(), updated_at = now()"))
                {
                    upsert.Parameters.AddWithValue(key);
                    upsert.Parameters.AddWithValue(payloadBytes);
                    await upsert.ExecuteNonQueryAsync(ct);
                }

                await using var select = dataSource.CreateCommand("SELECT value, etag FROM direct_state WHERE key = $1 AND (expires_at IS NULL OR expires_at >= now())");
                select.Parameters.AddWithValue(key);
                await using var reader = await select.ExecuteReaderAsync(ct);
                await reader.ReadAsync(ct);
            }));
            stateVariant.Add(await Measurement.RunAsync("sidecar (postgres v2)", 200, iterations, async i =>
            {
                var key = $"k{i % 100}";
                await sidecar.Client.SaveStateAsync("bench-store", key, payload, cancellationToken: ct);
                await sidecar.Client.GetStateAndETagAsync<BenchState>("bench-store", key, cancellationToken: ct);
            }));
        }

        var direct = ConnectionMultiplexer.Connect(redis.Address);
        var blocking = ConnectionMultiplexer.Connect(redis.Address);
        const string Stream = "direct-bench";
        await direct.GetDatabase().ExecuteAsync("XGROUP", "CREATE", Stream, "bench", "$", "MKSTREAM");
        var directReceived = new ConcurrentDictionary<int, TaskCompletionSource>();
        using var stopConsumer = new CancellationTokenSource();
        var consumer = Task.Run(async () =>
        {
            var db = blocking.GetDatabase();
            while (!stopConsumer.IsCancellationRequested)
            {
                // A dedicated connection, so the blocking read holds nothing else up: the best a hand-written consumer can do.
                var reply = await db.ExecuteAsync("XREADGROUP", "GROUP", "bench", "c1", "COUNT", "10", "BLOCK", "200", "STREAMS", Stream, ">");
                if (reply.IsNull)
                {
                    continue;
                }

                foreach (var stream in (RedisResult[])reply!)
                {
                    foreach (var entry in (RedisResult[])((RedisResult[])stream!)[1]!)
                    {
                        var parts = (RedisResult[])entry!;
                        var fields = (RedisResult[])parts[1]!;
                        var seq = int.Parse((string)fields[1]!, CultureInfo.InvariantCulture);
                        await db.ExecuteAsync("XACK", Stream, "bench", (string)parts[0]!);
                        if (directReceived.TryRemove(seq, out var done))
                        {
                            done.TrySetResult();
                        }
                    }
                }
            }
        });

        var pubSubBaseline = new List<Measurement>();
        var pubSubVariant = new List<Measurement>();
        var sequence = 0;
        for (var rep = 0; rep < repetitions; rep++)
        {
            pubSubBaseline.Add(await Measurement.RunAsync("direct XADD/XREADGROUP", 50, pubSubIterations, async _ =>
            {
                var seq = Interlocked.Increment(ref sequence);
                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                directReceived[seq] = done;
                await direct.GetDatabase().StreamAddAsync(Stream, "seq", seq.ToString(CultureInfo.InvariantCulture));
                await done.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
            }));
            pubSubVariant.Add(await Measurement.RunAsync("sidecar (pubsub.redis)", 50, pubSubIterations, async _ =>
            {
                var seq = Interlocked.Increment(ref sequence);
                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                received[seq] = done;
                await sidecar.Client.PublishEventAsync("pubsub", "bench-topic", new BenchEvent(seq), ct);
                await done.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
            }));
        }

        await stopConsumer.CancelAsync();
        await consumer;
        direct.Dispose();
        blocking.Dispose();

        var report = new StringBuilder();
        report.AppendLine("| comparison | baseline p50 (ms) | sidecar p50 (ms) | baseline p99 (ms) | sidecar p99 (ms) | ratio of p50 (median) | spread of per-run ratios |");
        report.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var comparison in new[]
                 {
                     new Comparison("state round trip: SaveState+GetState vs Npgsql upsert+select", stateBaseline, stateVariant),
                     new Comparison("publish → delivery: sidecar on Redis Streams vs XADD→XREADGROUP", pubSubBaseline, pubSubVariant),
                 })
        {
            var (min, max) = comparison.RatioSpread;
            report.AppendLine(CultureInfo.InvariantCulture, $"| {comparison.Name} | {comparison.BaselineMedian:0.000} | {comparison.VariantMedian:0.000} | {comparison.BaselineP99:0.000} | {comparison.VariantP99:0.000} | **{comparison.Ratio:0.00}×** | {min:0.00}–{max:0.00} |");
        }
        return report.ToString();
    }
}

internal sealed record BenchState(string OrderId, string CustomerId, int Lines, decimal Total, string Status, string Notes);

internal sealed record BenchEvent(int Seq);
