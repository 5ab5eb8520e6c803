using System.Text.Json;
using Dapr;
using Dapr.Client;
using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf;
using Grpc.Core;

namespace Sidecar.Tests.State;

/// <summary>ExecuteStateTransaction: atomic on the SQL and in-memory stores, MULTI/EXEC without rollback on Redis, Internal for every store error.</summary>
public sealed class StateTransactionTests(BackendsFixture backends)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(StateBackend.All), MemberType = typeof(StateBackend))]
    public async Task ExecuteTransaction_UpsertsAndDelete_AllApplied(string backend)
    {
        await using var scope = await StateBackend.StartAsync(backends, backend);
        var (a, b, gone) = (StateBackend.NewKey(), StateBackend.NewKey(), StateBackend.NewKey());
        await scope.Client.SaveStateAsync(StateBackend.StoreName, gone, "old", cancellationToken: Ct);

        await scope.Client.ExecuteStateTransactionAsync(StateBackend.StoreName,
        [
            new StateTransactionRequest(a, JsonSerializer.SerializeToUtf8Bytes("A"), StateOperationType.Upsert),
            new StateTransactionRequest(b, JsonSerializer.SerializeToUtf8Bytes("B"), StateOperationType.Upsert),
            new StateTransactionRequest(gone, null, StateOperationType.Delete),
        ], cancellationToken: Ct);

        Assert.Equal("A", await scope.Client.GetStateAsync<string>(StateBackend.StoreName, a, cancellationToken: Ct));
        Assert.Equal("B", await scope.Client.GetStateAsync<string>(StateBackend.StoreName, b, cancellationToken: Ct));
        Assert.Null(await scope.Client.GetStateAsync<string>(StateBackend.StoreName, gone, cancellationToken: Ct));
    }

    [Theory]
    [MemberData(nameof(StateBackend.All), MemberType = typeof(StateBackend))]
    public async Task ExecuteTransaction_StaleETag_IsInternalAndOnlyRedisAppliesTheRest(string backend)
    {
        await using var scope = await StateBackend.StartAsync(backends, backend);
        var (guarded, other) = (StateBackend.NewKey(), StateBackend.NewKey());
        await scope.Client.SaveStateAsync(StateBackend.StoreName, guarded, "v1", cancellationToken: Ct);
        var (_, stale) = await scope.Client.GetStateAndETagAsync<string>(StateBackend.StoreName, guarded, cancellationToken: Ct);
        await scope.Client.SaveStateAsync(StateBackend.StoreName, guarded, "v2", cancellationToken: Ct);

        var error = await Assert.ThrowsAsync<DaprException>(() => scope.Client.ExecuteStateTransactionAsync(StateBackend.StoreName,
        [
            new StateTransactionRequest(other, JsonSerializer.SerializeToUtf8Bytes("other"), StateOperationType.Upsert),
            new StateTransactionRequest(guarded, JsonSerializer.SerializeToUtf8Bytes("v3"), StateOperationType.Upsert, etag: stale),
        ], cancellationToken: Ct));

        var rpc = Assert.IsType<RpcException>(error.InnerException);
        Assert.Equal(StatusCode.Internal, rpc.StatusCode);
        Assert.StartsWith("error while executing state transaction: ", rpc.Status.Detail, StringComparison.Ordinal);
        Assert.Equal("v2", await scope.Client.GetStateAsync<string>(StateBackend.StoreName, guarded, cancellationToken: Ct));
        var otherValue = await scope.Client.GetStateAsync<string>(StateBackend.StoreName, other, cancellationToken: Ct);
        if (backend == StateBackend.Redis)
        {
            // No rollback in MULTI/EXEC: the upsert before the failed check stays applied.
            Assert.Equal("other", otherValue);
        }
        else
        {
            Assert.StartsWith("error while executing state transaction: possible etag mismatch. error from state store", rpc.Status.Detail, StringComparison.Ordinal);
            Assert.Null(otherValue);
        }
    }

    [Theory]
    [MemberData(nameof(StateBackend.All), MemberType = typeof(StateBackend))]
    public async Task ExecuteTransaction_ContentTypeJson_StillStoresBytes(string backend)
    {
        await using var scope = await StateBackend.StartAsync(backends, backend);
        var key = StateBackend.NewKey();
        var bytes = "{ \"b\": 1,  \"a\": 2 }"u8.ToArray();

        await scope.Client.ExecuteStateTransactionAsync(StateBackend.StoreName,
        [
            new StateTransactionRequest(key, bytes, StateOperationType.Upsert, metadata: new Dictionary<string, string> { ["contentType"] = "application/json" }),
        ], cancellationToken: Ct);

        // Bytes come back exactly as sent: nothing parsed or re-encoded them.
        Assert.Equal(bytes, (await scope.Client.GetByteStateAsync(StateBackend.StoreName, key, cancellationToken: Ct)).ToArray());
    }

    [Fact]
    public async Task ExecuteTransaction_UnknownOperationType_IsUnimplemented()
    {
        await using var scope = await StateBackend.StartAsync(backends, StateBackend.InMemory);
        var request = new ExecuteStateTransactionRequest { StoreName = StateBackend.StoreName };
        request.Operations.Add(new TransactionalStateOperation { OperationType = "merge", Request = new StateItem { Key = "k", Value = ByteString.CopyFromUtf8("1") } });

        var error = await Assert.ThrowsAsync<RpcException>(async () => await scope.Grpc.ExecuteStateTransactionAsync(request, cancellationToken: Ct));

        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
    }

    [Fact]
    public async Task GetState_NoStateStoreConfigured_IsFailedPrecondition()
    {
        await using var sidecar = await StateBackend.StartSidecarAsync($"app-{Guid.NewGuid():N}"[..16], "");

        var error = await Assert.ThrowsAsync<DaprException>(() => sidecar.Client.GetStateAsync<string>(StateBackend.StoreName, "k", cancellationToken: Ct));

        var rpc = Assert.IsType<RpcException>(error.InnerException);
        Assert.Equal(StatusCode.FailedPrecondition, rpc.StatusCode);
        Assert.Equal($"state store {StateBackend.StoreName} is not configured", rpc.Status.Detail);
    }
}
