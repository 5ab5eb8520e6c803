using Dapr;
using Grpc.Core;

namespace Sidecar.Tests.State;

/// <summary>QueryStateAlpha1: postgres v1 over JSON values only; every other store answers Internal.</summary>
public sealed class StateQueryTests(BackendsFixture backends)
{
    private static readonly Dictionary<string, string> Json = new() { ["contentType"] = "application/json" };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task QueryState_PostgresV1JsonValues_FiltersSortsAndPages()
    {
        await using var scope = await StateBackend.StartAsync(backends, StateBackend.PostgresV1);
        await scope.Client.SaveStateAsync(StateBackend.StoreName, "c1", new Customer("Ann", "CA", new Address("LA")), metadata: Json, cancellationToken: Ct);
        await scope.Client.SaveStateAsync(StateBackend.StoreName, "c2", new Customer("Bob", "WA", new Address("Seattle")), metadata: Json, cancellationToken: Ct);
        await scope.Client.SaveStateAsync(StateBackend.StoreName, "c3", new Customer("Cid", "CA", new Address("SF")), metadata: Json, cancellationToken: Ct);
        // Saved as bytes (no contentType): base64 in the row, invisible to filters.
        await scope.Client.SaveStateAsync(StateBackend.StoreName, "c4", new Customer("Dee", "CA", new Address("LA")), cancellationToken: Ct);

        var byState = await scope.Client.QueryStateAsync<Customer>(StateBackend.StoreName,
            """{"filter": {"EQ": {"state": "CA"}}, "sort": [{"key": "name", "order": "DESC"}]}""", cancellationToken: Ct);
        var nested = await scope.Client.QueryStateAsync<Customer>(StateBackend.StoreName,
            """{"filter": {"OR": [{"IN": {"address.city": ["Seattle", "SF"]}}, {"AND": [{"EQ": {"name": "Ann"}}, {"EQ": {"state": "CA"}}]}]}, "sort": [{"key": "name"}]}""", cancellationToken: Ct);
        var firstPage = await scope.Client.QueryStateAsync<Customer>(StateBackend.StoreName,
            """{"filter": {"EQ": {"state": "CA"}}, "sort": [{"key": "name"}], "page": {"limit": 1}}""", cancellationToken: Ct);
        var secondPage = await scope.Client.QueryStateAsync<Customer>(StateBackend.StoreName,
            $$$"""{"filter": {"EQ": {"state": "CA"}}, "sort": [{"key": "name"}], "page": {"limit": 1, "token": "{{{firstPage.Token}}}"}}""", cancellationToken: Ct);

        Assert.Equal(["c3", "c1"], byState.Results.Select(r => r.Key));
        Assert.Equal(new Customer("Cid", "CA", new Address("SF")), byState.Results[0].Data);
        Assert.All(byState.Results, r => Assert.NotEmpty(r.ETag));
        Assert.Equal(["c1", "c2", "c3"], nested.Results.Select(r => r.Key));
        Assert.Equal(["c1"], firstPage.Results.Select(r => r.Key));
        Assert.Equal(["c3"], secondPage.Results.Select(r => r.Key));
    }

    [Fact]
    public async Task QueryState_MalformedQuery_IsInternalQueryFailed()
    {
        await using var scope = await StateBackend.StartAsync(backends, StateBackend.PostgresV1);

        var error = await Assert.ThrowsAsync<DaprException>(() => scope.Client.QueryStateAsync<Customer>(StateBackend.StoreName, """{"filter": {"LIKE": {"a": 1}}}""", cancellationToken: Ct));

        var rpc = Assert.IsType<RpcException>(error.InnerException);
        Assert.Equal(StatusCode.Internal, rpc.StatusCode);
        Assert.StartsWith($"state store {StateBackend.StoreName} query failed: failed to parse JSON query body: ", rpc.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryState_NoMatch_ReturnsNoResultsAndNoToken()
    {
        await using var scope = await StateBackend.StartAsync(backends, StateBackend.PostgresV1);

        var result = await scope.Client.QueryStateAsync<Customer>(StateBackend.StoreName, """{"filter": {"EQ": {"state": "none"}}, "page": {"limit": 5}}""", cancellationToken: Ct);

        Assert.Empty(result.Results);
        Assert.Equal("", result.Token);
    }

    [Theory]
    [MemberData(nameof(StateBackend.WithoutQuery), MemberType = typeof(StateBackend))]
    public async Task QueryState_StoreWithoutQuery_IsInternal(string backend)
    {
        await using var scope = await StateBackend.StartAsync(backends, backend);

        var error = await Assert.ThrowsAsync<DaprException>(() => scope.Client.QueryStateAsync<Customer>(StateBackend.StoreName, """{"filter": {}}""", cancellationToken: Ct));

        var rpc = Assert.IsType<RpcException>(error.InnerException);
        Assert.Equal(StatusCode.Internal, rpc.StatusCode);
        // Redis implements Dapr's querier but needs a RediSearch index, so it fails inside the query instead.
        Assert.Equal(
            backend == StateBackend.Redis ? $"state store {StateBackend.StoreName} query failed: query index not found" : "state store does not support querying",
            rpc.Status.Detail);
    }

    public sealed record Address(string City);

    public sealed record Customer(string Name, string State, Address Address);
}
