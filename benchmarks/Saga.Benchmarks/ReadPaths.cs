using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Platform.Testing;

namespace Saga.Benchmarks;

/// <summary>
/// W4-style read comparison (issue #6): one order read as the CQRS summary from order-query (one local query) and
/// as the gateway's composition (orders, payments, inventory and catalog through service invocation), after a set
/// of orders ran through the saga; plus the read model's staleness as order-query recorded it. A second platform run
/// repeats it with payments slowed by 200 ms through the gateway's sidecar (fault "invokeDelay"): a sidecar's fault
/// plan is fixed when it starts, so the slowed gateway needs its own run, with its own CQRS baseline.
/// </summary>
internal static class ReadPaths
{
    /// <summary>Every attempt of the gateway's calls to payments waits 200 ms in the gateway's sidecar, as a slow payments would.</summary>
    public const string SlowPaymentsFault = "seed=6,invokeDelay=200ms,invokeDelayApps=payments";

    public static async Task<IReadOnlyList<string>> RunAsync(int orderCount, int[] concurrencies, TimeSpan duration, TimeSpan warmup)
    {
        var rows = new List<string>();
        rows.AddRange(await RunOnceAsync("composed", gatewayFaults: null, orderCount, concurrencies, duration, warmup));
        rows.AddRange(await RunOnceAsync("composed, payments +200 ms", SlowPaymentsFault, orderCount, concurrencies, duration, warmup));
        return rows;
    }

    private static async Task<IReadOnlyList<string>> RunOnceAsync(
        string composedLabel, string? gatewayFaults, int orderCount, int[] concurrencies, TimeSpan duration, TimeSpan warmup)
    {
        await using var run = await PlatformRun.StartAsync(
            apps: PlatformRun.AllApps,
            durablePostgres: true,
            faults: gatewayFaults is null ? null : new Dictionary<string, string> { ["gateway"] = gatewayFaults });
        using var catalog = run.Client("catalog");
        using var inventory = run.Client("inventory");
        using var gateway = run.Client("gateway");
        using var orders = run.Client("orders");
        using var query = run.Client("order-query");
        for (var i = 1; i <= 10; i++)
        {
            (await catalog.PostAsJsonAsync("/products", new { sku = $"READ-{i}", name = $"Mug {i}", category = "kitchen", price = 12.50m, currency = "EUR" })).EnsureSuccessStatusCode();
            (await inventory.PostAsJsonAsync($"/stock/READ-{i}/restock", new { quantity = 100_000, restockId = "initial" })).EnsureSuccessStatusCode();
        }

        var ids = new List<string>();
        for (var i = 0; i < orderCount; i++)
        {
            ids.Add(await PlaceAsync(gateway, $"READ-{1 + (i % 10)}", $"reader-{i % 20}", $"read-{i}"));
        }

        foreach (var id in ids)
        {
            await Eventually.MatchAsync(
                async () => (await query.GetAsync(new Uri($"/orders/{id}/summary", UriKind.Relative))).StatusCode == HttpStatusCode.OK
                    && JsonDocument.Parse(await orders.GetStringAsync(new Uri($"/orders/{id}", UriKind.Relative))).RootElement.GetProperty("status").GetString() is "Confirmed" or "Cancelled",
                done => done,
                TimeSpan.FromSeconds(120),
                $"order {id} terminal and in the read model");
        }

        var rows = new List<string>();
        foreach (var concurrency in concurrencies)
        {
            // Interleaved so drift hits both paths: composed, CQRS, composed, CQRS.
            for (var repetition = 0; repetition < 2; repetition++)
            {
                // A partial answer would be a cheaper read than the one meant: counted, and reported beside the figures.
                var partial = 0;
                var composed = await ClosedLoop.RunAsync($"{composedLabel}: gateway GET /api/orders/{{id}}", concurrency, duration, warmup, async i =>
                {
                    using var response = await gateway.GetAsync(new Uri($"/api/orders/{ids[i % ids.Count]}", UriKind.Relative));
                    response.EnsureSuccessStatusCode();
                    using var body = JsonDocument.Parse(await response.Content.ReadAsStreamAsync());
                    if (!body.RootElement.GetProperty("complete").GetBoolean())
                    {
                        Interlocked.Increment(ref partial);
                    }

                    return false;
                });
                var cqrs = await ClosedLoop.RunAsync("CQRS: order-query GET /orders/{id}/summary", concurrency, duration, warmup, async i =>
                {
                    using var response = await query.GetAsync(new Uri($"/orders/{ids[i % ids.Count]}/summary", UriKind.Relative));
                    response.EnsureSuccessStatusCode();
                    return false;
                });
                rows.Add($"| {composed.Variant} | {concurrency} | {composed.PerSecond:0} | {composed.P50Ms:0.0} ms | {composed.P99Ms:0.0} ms | partial answers: {partial} |");
                rows.Add($"| {cqrs.Variant} | {concurrency} | {cqrs.PerSecond:0} | {cqrs.P50Ms:0.0} ms | {cqrs.P99Ms:0.0} ms | CQRS p99 / composed p99 = {cqrs.P99Ms / composed.P99Ms:0.00} |");
            }
        }

        using var staleness = JsonDocument.Parse(await query.GetStringAsync(new Uri("/stats/staleness?last=1000", UriKind.Relative)));
        rows.Add($"{composedLabel} run: read-model staleness over the last {staleness.RootElement.GetProperty("count").GetInt32()} updates: p50 {staleness.RootElement.GetProperty("p50Ms").GetDouble():0.0} ms, p99 {staleness.RootElement.GetProperty("p99Ms").GetDouble():0.0} ms");
        return rows;
    }

    private static async Task<string> PlaceAsync(HttpClient gateway, string sku, string customerId, string key)
    {
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders")
            {
                Content = JsonContent.Create(new { customerId, lines = new[] { new { sku, quantity = 1 } } }),
            };
            request.Headers.Add("Idempotency-Key", key);
            using var response = await gateway.SendAsync(request);
            if (response.StatusCode == HttpStatusCode.Created)
            {
                return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("orderId").GetString()!;
            }

            await Task.Delay(100);
        }
    }
}
