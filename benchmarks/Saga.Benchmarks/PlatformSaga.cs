using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Platform.Testing;

namespace Saga.Benchmarks;

/// <summary>
/// S1 of W1: the full path — every app a process through the runner with its sidecar, the outbox, pub/sub and
/// (orchestration) the workflow engine. One saga = POST /orders with an Idempotency-Key and the chosen sagaMode,
/// then wait until it is Confirmed or Cancelled (<see cref="OrderObserver"/>, or <c>GET /orders/{id}</c> with
/// <c>--observe api</c>); a declined customer takes the compensation path.
/// </summary>
internal sealed class PlatformSaga(PlatformRun run, HttpClient orders, OrderObserver observer) : IAsyncDisposable
{
    public const string DeclinedCustomer = "declined-customer";

    public static async Task<PlatformSaga> StartAsync(int skus)
    {
        var run = await PlatformRun.StartAsync(
            apps: PlatformRun.AllApps.Where(a => a.AppId is not "gateway" and not "order-query").ToList(),
            durablePostgres: true,
            appSettings: new Dictionary<string, IReadOnlyDictionary<string, string>>
            {
                ["payments"] = new Dictionary<string, string> { ["Payments__Gateway__DeclinedCustomers__0"] = DeclinedCustomer },
            });
        using var catalog = run.Client("catalog");
        using var inventory = run.Client("inventory");
        for (var i = 1; i <= skus; i++)
        {
            (await catalog.PostAsJsonAsync("/products", new { sku = $"BENCH-{i}", name = $"Mug {i}", category = "kitchen", price = 12.50m, currency = "EUR" })).EnsureSuccessStatusCode();
            (await inventory.PostAsJsonAsync($"/stock/BENCH-{i}/restock", new { quantity = 1_000_000, restockId = "initial" })).EnsureSuccessStatusCode();
        }

        var orders = run.Client("orders");
        // Wait until the last product reached the orders replica through the outbox and pub/sub.
        await Eventually.MatchAsync(
            async () => (await orders.GetAsync(new Uri("/health", UriKind.Relative))).StatusCode, s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(30), "orders ready");
        var observer = new OrderObserver(run.Postgres.NpgsqlConnectionString("orders"), TimeSpan.FromMilliseconds(PollInterval));
        return new PlatformSaga(run, orders, observer);
    }

    /// <summary>One saga to its terminal state; true when it ended Cancelled (the compensation path).</summary>
    public async Task<bool> RunAsync(string sku, string customerId, string idempotencyKey, string mode)
    {
        string orderId;
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/orders")
            {
                Content = JsonContent.Create(new { customerId, sagaMode = mode, lines = new[] { new { sku, quantity = 2 } } }),
            };
            request.Headers.Add("Idempotency-Key", idempotencyKey);
            using var response = await orders.SendAsync(request);
            if (response.StatusCode == HttpStatusCode.Created)
            {
                using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                orderId = body.RootElement.GetProperty("orderId").GetString()!;
                break;
            }

            // 422 until the product has reached the replica (only at the very start); anything else is a failure.
            if (response.StatusCode != HttpStatusCode.UnprocessableEntity)
            {
                throw new InvalidOperationException($"POST /orders answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }

            await Task.Delay(50);
        }

        if (!ObserveThroughApi)
        {
            return await observer.TerminalAsync(orderId);
        }

        while (true)
        {
            using var order = JsonDocument.Parse(await orders.GetStringAsync(new Uri($"/orders/{orderId}", UriKind.Relative)));
            switch (order.RootElement.GetProperty("status").GetString())
            {
                case "Confirmed":
                    return false;
                case "Cancelled":
                    return true;
            }

            await Task.Delay(PollInterval);
        }
    }

    /// <summary>Milliseconds between two reads of a pending order (<c>--poll-ms</c>).</summary>
    public static int PollInterval { get; set; } = 5;

    /// <summary>CPU (PostgreSQL included), PostgreSQL transactions and Redis commands per saga.</summary>
    public Meter Meter { get; } = new(run.Postgres, run.Redis, () => observer.Queries);

    /// <summary>Poll each order through <c>GET /orders/{id}</c> instead of the store (<c>--observe api</c>).</summary>
    public static bool ObserveThroughApi { get; set; }

    public async ValueTask DisposeAsync()
    {
        orders.Dispose();
        await observer.DisposeAsync();
        await run.DisposeAsync();
    }
}
