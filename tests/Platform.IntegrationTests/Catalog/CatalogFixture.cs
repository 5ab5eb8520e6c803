using System.Net.Http.Json;
using System.Text.Json;
using Catalog;
using Catalog.Products;
using Platform.IntegrationTests.Infrastructure;
using Platform.Testing;

namespace Platform.IntegrationTests.CatalogService;

/// <summary>One environment (fresh Redis, fresh catalog database, the repository's components) and the catalog service per test class; tests isolate by fresh SKUs and categories.</summary>
public sealed class CatalogFixture(PostgresFixture postgres) : IAsyncLifetime
{
    public static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(20);

    private ServiceEnvironment? _environment;
    private RunningService? _service;

    public ServiceEnvironment Environment => _environment ?? throw new InvalidOperationException("not started");

    public RunningService Service => _service ?? throw new InvalidOperationException("not started");

    public HttpClient Http => Service.Http;

    public async ValueTask InitializeAsync()
    {
        _environment = await ServiceEnvironment.StartAsync(postgres.Server);
        _service = await _environment.StartServiceAsync<CatalogOptions>(DaprNames.AppId);
    }

    public async ValueTask DisposeAsync()
    {
        if (_environment is not null)
        {
            await _environment.DisposeAsync();
        }
    }

    public static string NewSku(string prefix = "SKU") => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    public static string NewCategory() => "cat-" + Guid.NewGuid().ToString("N")[..10];

    public static object NewProduct(string sku, decimal price = 10.00m, string category = "kitchen", bool? active = null, string currency = "EUR", string name = "Mug") =>
        new { sku, name, description = "A product", category, price, currency, active };

    public async Task<ProductResponse> CreateAsync(string sku, decimal price = 10.00m, string category = "kitchen", bool? active = null, string currency = "EUR")
    {
        var response = await Http.PostAsJsonAsync("/products", NewProduct(sku, price, category, active, currency), TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<ProductResponse>(TestContext.Current.CancellationToken))!;
    }

    public async Task<(ProductResponse? Product, string? ETag)> GetAsync(string sku)
    {
        var response = await Http.GetAsync($"/products/{sku}", TestContext.Current.CancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return (null, null);
        }

        return (await response.Content.ReadFromJsonAsync<ProductResponse>(TestContext.Current.CancellationToken), response.Headers.ETag?.Tag);
    }

    /// <summary>The CloudEvents on the Redis stream "catalog" whose data names this SKU, in stream order.</summary>
    public async Task<IReadOnlyList<JsonElement>> EventsAsync(string sku)
    {
        var entries = await Environment.Redis.Database.StreamRangeAsync(DaprNames.Topic);
        return [.. entries
            .Select(e => JsonDocument.Parse((byte[])e["data"]!).RootElement.Clone())
            .Where(ce => ce.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
                && data.TryGetProperty("sku", out var s) && s.GetString() == sku)];
    }

    public Task<IReadOnlyList<JsonElement>> WaitForEventsAsync(string sku, int count) =>
        Eventually.MatchAsync(() => EventsAsync(sku), events => events.Count >= count, EventTimeout, $"{count} events of {sku}");
}
