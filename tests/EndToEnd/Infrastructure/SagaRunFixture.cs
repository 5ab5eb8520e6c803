using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Platform.Testing;

namespace EndToEnd.Infrastructure;

/// <summary>
/// One platform run (every app a process through the runner) shared by the tests of a class, so CI pays the start
/// once per configuration: the tests keep apart by data (a customer and a SKU of their own per scenario). It keeps
/// the client ledger of every acknowledged order, which the invariant checker reads after each scenario.
/// </summary>
public abstract class SagaRunFixture(string mode) : IAsyncLifetime
{
    public const string Orchestration = "Orchestration";
    public const string Choreography = "Choreography";

    private readonly ConcurrentQueue<AcknowledgedOrder> _ledger = new();
    private readonly ConcurrentDictionary<string, HttpClient> _clients = new(StringComparer.Ordinal);
    private PlatformRun? _run;

    /// <summary>The saga style every order of this run asks for.</summary>
    public string Mode { get; } = mode;

    public PlatformRun Run => _run ?? throw new InvalidOperationException("the run has not started");

    /// <summary>Every order the gateway acknowledged (201) in this run.</summary>
    public IReadOnlyList<AcknowledgedOrder> Ledger => [.. _ledger];

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>Environment per app id (options as <c>Section__Key</c>).</summary>
    protected abstract IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Settings { get; }

    /// <summary>Sidecar fault spec per app id; none by default.</summary>
    protected virtual IReadOnlyDictionary<string, string>? Faults => null;

    public async ValueTask InitializeAsync() =>
        _run = await PlatformRun.StartAsync(appSettings: Settings, faults: Faults, sidecarLogLevel: Faults is null ? "warn" : "info");

    public virtual async ValueTask DisposeAsync()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }

        if (_run is not null)
        {
            await _run.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>A shared client of an app's own HTTP API.</summary>
    public HttpClient Client(string appId) => _clients.GetOrAdd(appId, Run.Client);

    /// <summary>A product in the catalog with <paramref name="units"/> units in stock.</summary>
    public async Task StockProductAsync(string sku, decimal price, int units)
    {
        using var created = await Client("catalog").PostAsJsonAsync("/products", new { sku, name = "Product " + sku, category = "e2e", price, currency = "EUR" }, Cancel);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var restocked = await Client("inventory").PostAsJsonAsync($"/stock/{sku}/restock", new { quantity = units, restockId = "initial" }, Cancel);
        Assert.Equal(HttpStatusCode.OK, restocked.StatusCode);
    }

    /// <summary>An order placed through the gateway in this run's saga style, recorded in the ledger once acknowledged.</summary>
    public async Task<AcknowledgedOrder> PlaceAsync(string customerId, string sku, int quantity)
    {
        var key = "key-" + customerId;
        var response = await Eventually.MatchAsync(
            async () =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders")
                {
                    Content = JsonContent.Create(new { customerId, sagaMode = Mode, lines = new[] { new { sku, quantity } } }),
                };
                request.Headers.Add("Idempotency-Key", key);
                using var sent = await Client("gateway").SendAsync(request, Cancel);
                return (sent.StatusCode, Body: await sent.Content.ReadAsStringAsync(Cancel));
            },
            r => r.StatusCode == HttpStatusCode.Created,
            TimeSpan.FromSeconds(60),
            $"the order of {customerId} is accepted once {sku} reached the orders replica");
        using var body = JsonDocument.Parse(response.Body);
        var order = new AcknowledgedOrder(body.RootElement.GetProperty("orderId").GetString()!, key, customerId, body.RootElement.GetProperty("total").GetDecimal());
        _ledger.Enqueue(order);
        return order;
    }

    /// <summary>Waits for quiescence (every delivery settled), then asserts the invariants over the whole ledger.</summary>
    public async Task AssertInvariantsAsync()
    {
        var violations = await Settle.UntilAsync(() => InvariantChecker.CheckAsync(Run, Ledger), v => v.Count == 0, TimeSpan.FromSeconds(60));
        Assert.Empty(violations);
    }
}
