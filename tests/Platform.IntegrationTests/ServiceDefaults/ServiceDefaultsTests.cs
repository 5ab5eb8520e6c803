using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc;
using Platform.IntegrationTests.Infrastructure;

namespace Platform.IntegrationTests.ServiceDefaults;

/// <summary>What every service gets from services/ServiceDefaults, checked on each of them.</summary>
public sealed class ServiceDefaultsTests(PostgresFixture postgres)
{
    public static TheoryData<string> AppIds => ["catalog", "orders", "payments", "inventory", "order-saga", "order-query", "gateway", "operations"];

    [Theory]
    [MemberData(nameof(AppIds))]
    public async Task Health_SidecarUp_ReadyAndAlive(string appId)
    {
        await using var environment = await ServiceEnvironment.StartAsync(postgres.Server);
        var service = await StartAsync(environment, appId);

        var ready = await service.Http.GetAsync("/health", TestContext.Current.CancellationToken);
        var alive = await service.Http.GetAsync("/alive", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }

    [Theory]
    [MemberData(nameof(AppIds))]
    public async Task Health_SidecarStopped_NotReadyButAlive(string appId)
    {
        await using var environment = await ServiceEnvironment.StartAsync(postgres.Server);
        var service = await StartAsync(environment, appId);
        await service.StopSidecarAsync();

        var ready = await service.Http.GetAsync("/health", TestContext.Current.CancellationToken);
        var alive = await service.Http.GetAsync("/alive", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }

    [Theory]
    [MemberData(nameof(AppIds))]
    public async Task UnknownRoute_Answered404_AsProblemDetails(string appId)
    {
        await using var environment = await ServiceEnvironment.StartAsync(postgres.Server);
        var service = await StartAsync(environment, appId);

        var response = await service.Http.GetAsync("/no/such/route", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>(TestContext.Current.CancellationToken);
        Assert.Equal(404, problem?.Status);
    }

    [Theory]
    [MemberData(nameof(AppIds))]
    public async Task OpenApi_DocumentServed(string appId)
    {
        await using var environment = await ServiceEnvironment.StartAsync(postgres.Server);
        var service = await StartAsync(environment, appId);

        var response = await service.Http.GetAsync("/openapi/v1.json", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"openapi\"", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    private static Task<RunningService> StartAsync(ServiceEnvironment environment, string appId) => appId switch
    {
        "catalog" => environment.StartServiceAsync<Catalog.CatalogOptions>(appId),
        "orders" => environment.StartServiceAsync<Orders.OrdersOptions>(appId),
        "payments" => environment.StartServiceAsync<Payments.PaymentsOptions>(appId),
        "inventory" => environment.StartServiceAsync<Inventory.InventoryOptions>(appId),
        "order-saga" => environment.StartServiceAsync<OrderSaga.OrderSagaOptions>(appId),
        "order-query" => StartOrderQueryAsync(environment),
        "gateway" => environment.StartServiceAsync<Gateway.GatewayOptions>(appId),
        "operations" => environment.StartServiceAsync<global::Operations.OperationsOptions>(appId),
        _ => throw new ArgumentOutOfRangeException(nameof(appId)),
    };

    // The read side owns a PostgreSQL database it reaches with Npgsql, not through a component.
    private static async Task<RunningService> StartOrderQueryAsync(ServiceEnvironment environment) =>
        await environment.StartServiceAsync<OrderQuery.OrderQueryOptions>("order-query", new ServiceStartOptions
        {
            Settings = new Dictionary<string, string?> { ["OrderQuery:ConnectionString"] = await environment.Postgres.CreateDatabaseAsync("orderquery") },
        });
}
