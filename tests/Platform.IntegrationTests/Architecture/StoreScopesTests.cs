using Dapr;
using Dapr.Client;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Platform.IntegrationTests.Infrastructure;
using Sidecar.Hosting;

namespace Platform.IntegrationTests.Architecture;

/// <summary>
/// Database per Service, enforced by the resources: with the repository's components, each app's sidecar
/// reaches its own state stores and refuses every other service's store as unknown (component scopes).
/// </summary>
public sealed class StoreScopesTests(PostgresFixture postgres)
{
    public static TheoryData<string, string> ForeignAccess => new()
    {
        { "orders", "payments-store" },
        { "orders", "inventory-store" },
        { "orders", "catalog-store" },
        { "payments", "orders-store" },
        { "payments", "orders-replica" },
        { "inventory", "payments-store" },
        { "catalog", "orders-replica" },
        { "catalog", "inventory-store" },
    };

    public static TheoryData<string, string> OwnAccess => new()
    {
        { "catalog", "catalog-store" },
        { "orders", "orders-store" },
        { "orders", "orders-replica" },
        { "payments", "payments-store" },
        { "inventory", "inventory-store" },
    };

    [Theory]
    [MemberData(nameof(ForeignAccess))]
    public async Task StateApi_AnotherServicesStore_RefusedAsUnknown(string appId, string foreignStore)
    {
        await using var environment = await ServiceEnvironment.StartAsync(postgres.Server);
        await using var sidecar = await StartSidecarAsync(environment, appId);
        using var client = Client(sidecar);

        var error = await Assert.ThrowsAsync<DaprException>(() => client.GetStateAsync<string>(foreignStore, "any-key", cancellationToken: TestContext.Current.CancellationToken));

        var rpc = Assert.IsType<RpcException>(error.InnerException);
        Assert.Equal(StatusCode.InvalidArgument, rpc.StatusCode);
        Assert.Contains($"state store {foreignStore} is not found", rpc.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(OwnAccess))]
    public async Task StateApi_OwnStore_ReadAndWrite(string appId, string store)
    {
        await using var environment = await ServiceEnvironment.StartAsync(postgres.Server);
        await using var sidecar = await StartSidecarAsync(environment, appId);
        using var client = Client(sidecar);

        await client.SaveStateAsync(store, "scope-probe", "mine", cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("mine", await client.GetStateAsync<string>(store, "scope-probe", cancellationToken: TestContext.Current.CancellationToken));
    }

    private static Task<SidecarHost> StartSidecarAsync(ServiceEnvironment environment, string appId) =>
        SidecarHost.StartAsync(new SidecarOptions
        {
            AppId = appId,
            GrpcPort = 0,
            HttpPort = 0,
            ResourcesPaths = [environment.ResourcesDirectory],
            LogLevel = LogLevel.Warning,
            DataDirectory = Path.Combine(environment.Directory, "scope-" + appId),
            EnvironmentLookup = environment.LookupEnvironment,
        });

    private static DaprClient Client(SidecarHost sidecar) => new DaprClientBuilder()
        .UseGrpcEndpoint($"http://127.0.0.1:{sidecar.Options.GrpcPort}")
        .UseHttpEndpoint($"http://127.0.0.1:{sidecar.Options.HttpPort}")
        .Build();
}
