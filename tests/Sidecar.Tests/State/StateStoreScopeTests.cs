using Platform.Testing;

namespace Sidecar.Tests.State;

/// <summary>Database per Service through scopes: an app cannot reach a store scoped to another app.</summary>
public sealed class StateStoreScopeTests
{
    [Fact]
    public async Task SaveState_StoreScopedToAnotherApp_IsRefusedAsNotFoundWhileOwnStoreWorks()
    {
        var ct = TestContext.Current.CancellationToken;
        var yaml = ComponentYaml.Component("orders-store", "state.in-memory", "v1", [], ["orders"])
            + ComponentYaml.Component("payments-store", "state.in-memory", "v1", [], ["payments"]);
        await using var payments = await TestSidecar.StartAsync("payments", yaml);

        var foreign = await Assert.ThrowsAsync<Dapr.DaprException>(() => payments.Client.SaveStateAsync("orders-store", "k", "v", cancellationToken: ct));
        await payments.Client.SaveStateAsync("payments-store", "k", "v", cancellationToken: ct);

        var rpc = Assert.IsType<Grpc.Core.RpcException>(foreign.InnerException);
        Assert.Equal(Grpc.Core.StatusCode.InvalidArgument, rpc.StatusCode);
        Assert.Contains("state store orders-store is not found", rpc.Status.Detail, StringComparison.Ordinal);
        Assert.Equal("v", await payments.Client.GetStateAsync<string>("payments-store", "k", cancellationToken: ct));
    }
}
