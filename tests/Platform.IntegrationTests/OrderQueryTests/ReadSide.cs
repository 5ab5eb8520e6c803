using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using OrderQuery.Queries;
using OrderQuery.Storage;
using Platform.IntegrationTests.Infrastructure;
using Platform.Testing;
using Sidecar.Faults;

namespace Platform.IntegrationTests.OrderQueryTests;

/// <summary>Starts order-query on a fresh database of its own and publishes events to the real topics.</summary>
internal static class ReadSide
{
    public static readonly TimeSpan Converge = TimeSpan.FromSeconds(30);

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>A fresh database in libpq form, as the runner and CreateDatabaseAsync give it (the app converts it).</summary>
    public static Task<string> CreateDatabaseAsync(ServiceEnvironment environment) => environment.Postgres.CreateDatabaseAsync("orderquery");

    public static Task<RunningService> StartAsync(ServiceEnvironment environment, string connectionString, FaultOptions? faults = null) =>
        environment.StartServiceAsync<OrderQuery.OrderQueryOptions>("order-query", new ServiceStartOptions
        {
            Settings = new Dictionary<string, string?> { ["OrderQuery:ConnectionString"] = connectionString },
            Faults = faults,
        });

    public static Task PublishAsync(this RunningService service, string topic, string eventType, object payload) =>
        service.Dapr.PublishEventAsync("pubsub", topic, payload, new Dictionary<string, string> { ["cloudevent.type"] = eventType }, TestContext.Current.CancellationToken);

    public static ViewDatabase Database(this RunningService service) => service.Services.GetRequiredService<ViewDatabase>();

    public static async Task<OrderSummaryResponse?> SummaryAsync(this RunningService service, string orderId)
    {
        using var response = await service.Http.GetAsync($"/orders/{orderId}/summary", TestContext.Current.CancellationToken);
        return response.StatusCode == HttpStatusCode.NotFound
            ? null
            : await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<OrderSummaryResponse>(Json, TestContext.Current.CancellationToken);
    }

    public static Task<OrderSummaryResponse> SummaryWhenAsync(this RunningService service, string orderId, Func<OrderSummaryResponse, bool> condition, string description) =>
        Eventually.MatchAsync(async () => (await service.SummaryAsync(orderId))!, s => s is not null && condition(s), Converge, description);

    public static async Task<T> GetAsync<T>(this RunningService service, string path)
    {
        using var response = await service.Http.GetAsync(path, TestContext.Current.CancellationToken);
        return (await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<T>(Json, TestContext.Current.CancellationToken))!;
    }

    public static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];
}
