using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Payments;
using Platform.IntegrationTests.Infrastructure;
using Platform.Testing;

// Not "…Payments": that namespace would hide the Payments service namespace from ServiceDefaultsTests.
namespace Platform.IntegrationTests.PaymentsService;

/// <summary>
/// One environment per test class: the payments app beside our sidecar with the repository's components, and a
/// gateway simulator that declines amounts above 1000 and the customer "declined-customer", and answers
/// "slow-customer" after 300 ms (to widen the window of concurrent charges).
/// </summary>
public class PaymentsFixture(PostgresFixture postgres) : IAsyncLifetime
{
    public const decimal DeclineAmountAbove = 1000m;
    public const string DeclinedCustomer = "declined-customer";
    public const string SlowCustomer = "slow-customer";
    // Generous: every transaction that lost an ETag race still published an outbox message (phase 1 runs before
    // the store transaction), and the relay holds each one ~11 s looking for its marker before dropping it, so
    // after the concurrency tests the relay of the real events lags behind.
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private ServiceEnvironment? _environment;
    private RunningService? _service;

    public ServiceEnvironment Environment => _environment ?? throw new InvalidOperationException("not started");

    public RunningService Service => _service ?? throw new InvalidOperationException("not started");

    public HttpClient Http => Service.Http;

    public async ValueTask InitializeAsync()
    {
        _environment = await ServiceEnvironment.StartAsync(postgres.Server);
        _service = await _environment.StartServiceAsync<PaymentsOptions>(DaprNames.AppId, new ServiceStartOptions { Settings = Settings });
    }

    /// <summary>The app's settings: the gateway's declines and slowness described above.</summary>
    protected virtual Dictionary<string, string?> Settings => new()
    {
        ["Payments:Gateway:DeclineAmountAbove"] = DeclineAmountAbove.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Payments:Gateway:DeclinedCustomers:0"] = DeclinedCustomer,
        ["Payments:Gateway:SlowCustomers:0"] = SlowCustomer,
        ["Payments:Gateway:SlowResponse"] = "00:00:00.300",
    };

    public async ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        if (_environment is not null)
        {
            await _environment.DisposeAsync();
        }
    }

    public static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>
    /// The CloudEvents on the Redis stream "payments" whose data match, one per CloudEvent id: the outbox relay is
    /// at least once, and a relay message it held past processingTimeout is handed out again with the same id
    /// (consumers dedupe on it). Two changes recorded twice would carry two ids, so they still show.
    /// </summary>
    public async Task<IReadOnlyList<JsonElement>> EventsAsync(Func<JsonElement, bool> dataMatches)
    {
        var entries = await Environment.Redis.Database.StreamRangeAsync(DaprNames.Topic);
        return [.. entries
            .Select(entry => JsonDocument.Parse((string)entry["data"]!).RootElement.Clone())
            .Where(cloudEvent => cloudEvent.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object && dataMatches(data))
            .DistinctBy(cloudEvent => cloudEvent.GetProperty("id").GetString())];
    }

    public Task<IReadOnlyList<JsonElement>> EventsOfOrderAsync(string orderId) =>
        EventsAsync(data => data.TryGetProperty("orderId", out var id) && id.GetString() == orderId);

    /// <summary>
    /// Waits until the order's events include <paramref name="expectedTypes"/> and every outbox marker of the store
    /// is gone (phase 2 relayed everything), so a count taken then is final, not a snapshot of a relay in flight.
    /// </summary>
    public async Task<IReadOnlyList<JsonElement>> SettledEventsOfOrderAsync(string orderId, params string[] expectedTypes)
    {
        await Eventually.MatchAsync(
            async () => string.Join(",", (await EventsOfOrderAsync(orderId)).Select(e => e.GetProperty("type").GetString())),
            types => expectedTypes.All(type => types.Split(',').Contains(type)),
            Patience,
            $"events {string.Join(", ", expectedTypes)} of order {orderId} on the stream");
        await Eventually.MatchAsync(OutboxMarkersAsync, count => count == 0, Patience, "every outbox marker relayed and deleted");
        return await EventsOfOrderAsync(orderId);
    }

    public async Task<long> OutboxMarkersAsync()
    {
        await using var connection = new NpgsqlConnection(Environment.NpgsqlConnectionString("PLATFORM_POSTGRES_PAYMENTS_CONNECTION"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM state WHERE key LIKE 'outbox-%'", connection);
        return (long)(await command.ExecuteScalarAsync() ?? 0L);
    }

    public Task<HttpResponseMessage> ChargeAsync(string orderId, string customerId, decimal amount, string currency = "EUR") =>
        Http.PostAsJsonAsync("/payments", new { orderId, customerId, amount, currency }, TestContext.Current.CancellationToken);
}
