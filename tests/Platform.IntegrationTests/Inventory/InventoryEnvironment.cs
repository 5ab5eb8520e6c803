using System.Net.Http.Json;
using System.Text.Json;
using Inventory;
using Platform.IntegrationTests.Infrastructure;

namespace Platform.IntegrationTests.InventoryTests;

/// <summary>
/// One environment per test class: inventory and its sidecar on the store variant the subclass names. Tests use
/// fresh SKUs and order ids, so they share it.
/// </summary>
public abstract class InventoryEnvironment(PostgresFixture postgres) : IAsyncLifetime
{
    private ServiceEnvironment? _environment;
    private RunningService? _service;

    public ServiceEnvironment Environment => _environment ?? throw new InvalidOperationException("not started");

    public RunningService Service => _service ?? throw new InvalidOperationException("not started");

    public HttpClient Http => Service.Http;

    /// <summary>components/ file name → replacement YAML; null keeps the repository's components.</summary>
    protected abstract IReadOnlyDictionary<string, string?>? ComponentOverrides { get; }

    public async ValueTask InitializeAsync()
    {
        _environment = await ServiceEnvironment.StartAsync(postgres.Server, ComponentOverrides);
        _service = await _environment.StartServiceAsync<InventoryOptions>(DaprNames.AppId);
    }

    public async ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        if (_environment is not null)
        {
            await _environment.DisposeAsync();
        }
    }

    public static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>A fresh SKU with <paramref name="units"/> units (none: the SKU is not created).</summary>
    public async Task<string> NewSkuAsync(int units)
    {
        var sku = NewId("sku");
        if (units > 0)
        {
            var response = await Http.PostAsJsonAsync($"/stock/{sku}/restock", new { quantity = units, restockId = NewId("r") }, TestContext.Current.CancellationToken);
            response.EnsureSuccessStatusCode();
        }

        return sku;
    }

    public async Task<JsonElement> StockAsync(string sku)
    {
        var response = await Http.GetAsync($"/stock/{sku}", TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
    }

    public Task<HttpResponseMessage> ReserveAsync(string orderId, params (string Sku, int Quantity)[] lines) =>
        Http.PostAsJsonAsync("/reservations", new { orderId, lines = lines.Select(l => new { sku = l.Sku, quantity = l.Quantity }) }, TestContext.Current.CancellationToken);

    public Task<HttpResponseMessage> PostAsync(string path) => Http.PostAsync(path, null, TestContext.Current.CancellationToken);
}

public sealed class RedisInventoryEnvironment(PostgresFixture postgres) : InventoryEnvironment(postgres)
{
    protected override IReadOnlyDictionary<string, string?>? ComponentOverrides => null;
}

/// <summary>The store swap: the very same inventory-store.yaml with only its type and connection changed.</summary>
public sealed class PostgresInventoryEnvironment(PostgresFixture postgres) : InventoryEnvironment(postgres)
{
    protected override IReadOnlyDictionary<string, string?>? ComponentOverrides => new Dictionary<string, string?>
    {
        ["inventory-store.yaml"] = PostgresVariant(File.ReadAllText(Path.Combine(RepositoryPaths.Components, "inventory-store.yaml"))),
    };

    private static string PostgresVariant(string redisYaml)
    {
        const string redisType = "  type: state.redis\n  version: v1\n";
        const string redisHost = "  - name: redisHost\n    secretKeyRef:\n      name: PLATFORM_REDIS_HOST\n      key: PLATFORM_REDIS_HOST\n";
        Assert.Contains(redisType, redisYaml, StringComparison.Ordinal);
        Assert.Contains(redisHost, redisYaml, StringComparison.Ordinal);
        return redisYaml
            .Replace(redisType, "  type: state.postgresql\n  version: v2\n", StringComparison.Ordinal)
            .Replace(redisHost, "  - name: connectionString\n    secretKeyRef:\n      name: PLATFORM_POSTGRES_INVENTORY_CONNECTION\n      key: PLATFORM_POSTGRES_INVENTORY_CONNECTION\n", StringComparison.Ordinal);
    }
}
