using Dapr;
using Dapr.Client;
using Grpc.Core;
using Platform.Testing;

namespace Sidecar.Tests.State;

/// <summary>The state API through the real Dapr.Client, on every backend, with each backend's own ETag rules (contract §2.3–2.4).</summary>
public sealed class StateConformanceTests(BackendsFixture backends)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(StateBackend.All), MemberType = typeof(StateBackend))]
    public async Task GetState_MissingKey_ReturnsDefaultAndEmptyETag(string backend)
    {
        await using var scope = await StateBackend.StartAsync(backends, backend);

        var (value, etag) = await scope.Client.GetStateAndETagAsync<Order>(StateBackend.StoreName, StateBackend.NewKey(), cancellationToken: Ct);

        Assert.Null(value);
        Assert.Equal("", etag);
    }

    [Theory]
    [MemberData(nameof(StateBackend.All), MemberType = typeof(StateBackend))]
    public async Task SaveState_ThenGet_RoundTripsValueWithETag(string backend)
    {
        await using var scope = await StateBackend.StartAsync(backends, backend);
        var key = StateBackend.NewKey();

        await scope.Client.SaveStateAsync(StateBackend.StoreName, key, new Order("o-1", 42.5m), cancellationToken: Ct);
        var (value, etag) = await scope.Client.GetStateAndETagAsync<Order>(StateBackend.StoreName, key, cancellationToken: Ct);

        Assert.Equal(new Order("o-1", 42.5m), value);
        Assert.NotEmpty(etag);
    }

    [Theory]
    [MemberData(nameof(StateBackend.All), MemberType = typeof(StateBackend))]
    public async Task SaveByteState_ArbitraryBytes_RoundTripExactly(string backend)
    {
        await using var scope = await StateBackend.StartAsync(backends, backend);
        var key = StateBackend.NewKey();
        var bytes = Enumerable.Range(0, 256).Select(i => (byte)i).Concat(new byte[70_000]).ToArray();

        await scope.Client.SaveByteStateAsync(StateBackend.StoreName, key, bytes, cancellationToken: Ct);
        var read = await scope.Client.GetByteStateAsync(StateBackend.StoreName, key, cancellationToken: Ct);

        Assert.Equal(bytes, read.ToArray());
    }

    [Theory]
    [MemberData(nameof(StateBackend.All), MemberType = typeof(StateBackend))]
    public async Task TrySaveState_ConcurrentWritersWithOneETag_ExactlyOneWins(string backend)
    {
        await using var scope = await StateBackend.StartAsync(backends, backend);
        var key = StateBackend.NewKey();
        await scope.Client.SaveStateAsync(StateBackend.StoreName, key, new Order("v0", 0), cancellationToken: Ct);
        var (_, etag) = await scope.Client.GetStateAndETagAsync<Order>(StateBackend.StoreName, key, cancellationToken: Ct);

        var results = await Task.WhenAll(Enumerable.Range(1, 8).Select(i =>
            scope.Client.TrySaveStateAsync(StateBackend.StoreName, key, new Order($"writer-{i}", i), etag, cancellationToken: Ct)));

        Assert.Single(results, saved => saved);
        var winner = Array.IndexOf(results, true) + 1;
        Assert.Equal(new Order($"writer-{winner}", winner), await scope.Client.GetStateAsync<Order>(StateBackend.StoreName, key, cancellationToken: Ct));
    }

    [Theory]
    [MemberData(nameof(StateBackend.All), MemberType = typeof(StateBackend))]
    public async Task GetBulkState_SeveralKeys_ReturnsUnprefixedKeysAndEmptyItemForMissing(string backend)
    {
        await using var scope = await StateBackend.StartAsync(backends, backend);
        var (a, b, missing) = (StateBackend.NewKey(), StateBackend.NewKey(), StateBackend.NewKey());
        await scope.Client.SaveStateAsync(StateBackend.StoreName, a, new Order("a", 1), cancellationToken: Ct);
        await scope.Client.SaveStateAsync(StateBackend.StoreName, b, new Order("b", 2), cancellationToken: Ct);

        var items = await scope.Client.GetBulkStateAsync<Order>(StateBackend.StoreName, [a, b, missing], parallelism: null, cancellationToken: Ct);

        Assert.Equal(new[] { a, b, missing }.Order(), items.Select(i => i.Key).Order());
        Assert.Equal(new Order("a", 1), items.Single(i => i.Key == a).Value);
        Assert.Equal(new Order("b", 2), items.Single(i => i.Key == b).Value);
        Assert.Null(items.Single(i => i.Key == missing).Value);
        Assert.Equal("", items.Single(i => i.Key == missing).ETag);
    }

    [Theory]
    [MemberData(nameof(StateBackend.All), MemberType = typeof(StateBackend))]
    public async Task DeleteState_MissingKeyWithoutETag_Succeeds(string backend)
    {
        await using var scope = await StateBackend.StartAsync(backends, backend);
        var key = StateBackend.NewKey();

        await scope.Client.DeleteStateAsync(StateBackend.StoreName, key, cancellationToken: Ct);

        Assert.Null(await scope.Client.GetStateAsync<Order>(StateBackend.StoreName, key, cancellationToken: Ct));
    }

    [Theory]
    [MemberData(nameof(StateBackend.All), MemberType = typeof(StateBackend))]
    public async Task DeleteState_ExistingKey_RemovesIt(string backend)
    {
        await using var scope = await StateBackend.StartAsync(backends, backend);
        var key = StateBackend.NewKey();
        await scope.Client.SaveStateAsync(StateBackend.StoreName, key, new Order("x", 1), cancellationToken: Ct);

        await scope.Client.DeleteStateAsync(StateBackend.StoreName, key, cancellationToken: Ct);

        Assert.Null(await scope.Client.GetStateAsync<Order>(StateBackend.StoreName, key, cancellationToken: Ct));
    }

    [Theory]
    [MemberData(nameof(StateBackend.All), MemberType = typeof(StateBackend))]
    public async Task TrySaveState_MatchingETag_ReturnsTrueAndNewETag(string backend)
    {
        await using var scope = await StateBackend.StartAsync(backends, backend);
        var key = StateBackend.NewKey();
        await scope.Client.SaveStateAsync(StateBackend.StoreName, key, new Order("v1", 1), cancellationToken: Ct);
        var (_, etag) = await scope.Client.GetStateAndETagAsync<Order>(StateBackend.StoreName, key, cancellationToken: Ct);

        var saved = await scope.Client.TrySaveStateAsync(StateBackend.StoreName, key, new Order("v2", 2), etag, cancellationToken: Ct);
        var (value, newETag) = await scope.Client.GetStateAndETagAsync<Order>(StateBackend.StoreName, key, cancellationToken: Ct);

        Assert.True(saved);
        Assert.Equal(new Order("v2", 2), value);
        Assert.NotEqual(etag, newETag);
        Assert.NotEmpty(newETag);
    }

    [Theory]
    [MemberData(nameof(StateBackend.All), MemberType = typeof(StateBackend))]
    public async Task TrySaveState_StaleETag_ReturnsFalseAndKeepsValue(string backend)
    {
        await using var scope = await StateBackend.StartAsync(backends, backend);
        var key = StateBackend.NewKey();
        await scope.Client.SaveStateAsync(StateBackend.StoreName, key, new Order("v1", 1), cancellationToken: Ct);
        var (_, stale) = await scope.Client.GetStateAndETagAsync<Order>(StateBackend.StoreName, key, cancellationToken: Ct);
        await scope.Client.SaveStateAsync(StateBackend.StoreName, key, new Order("v2", 2), cancellationToken: Ct);

        var saved = await scope.Client.TrySaveStateAsync(StateBackend.StoreName, key, new Order("v3", 3), stale, cancellationToken: Ct);

        Assert.False(saved);
        Assert.Equal(new Order("v2", 2), await scope.Client.GetStateAsync<Order>(StateBackend.StoreName, key, cancellationToken: Ct));
    }

    [Theory]
    [InlineData(StateBackend.PostgresV1)]
    [InlineData(StateBackend.Redis)]
    public async Task TrySaveState_MalformedETagOnStoreThatValidates_ThrowsInvalidArgument(string backend)
    {
        await using var scope = await StateBackend.StartAsync(backends, backend);
        var key = StateBackend.NewKey();
        await scope.Client.SaveStateAsync(StateBackend.StoreName, key, new Order("v1", 1), cancellationToken: Ct);

        var error = await Assert.ThrowsAsync<DaprException>(() => scope.Client.TrySaveStateAsync(StateBackend.StoreName, key, new Order("v2", 2), "not-a-number", cancellationToken: Ct));

        var rpc = Assert.IsType<RpcException>(error.InnerException);
        Assert.Equal(StatusCode.InvalidArgument, rpc.StatusCode);
        Assert.StartsWith($"failed saving state in state store {StateBackend.StoreName}: invalid etag value", rpc.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(StateBackend.PostgresV2)]
    [InlineData(StateBackend.InMemory)]
    public async Task TrySaveState_MalformedETagOnStoreThatCompares_ReturnsFalse(string backend)
    {
        await using var scope = await StateBackend.StartAsync(backends, backend);
        var key = StateBackend.NewKey();
        await scope.Client.SaveStateAsync(StateBackend.StoreName, key, new Order("v1", 1), cancellationToken: Ct);

        var saved = await scope.Client.TrySaveStateAsync(StateBackend.StoreName, key, new Order("v2", 2), "not-a-uuid", cancellationToken: Ct);

        Assert.False(saved);
    }

    [Theory]
    [MemberData(nameof(StateBackend.All), MemberType = typeof(StateBackend))]
    public async Task TrySaveState_ETagOnAbsentKey_OnlyRedisCreatesTheKey(string backend)
    {
        await using var scope = await StateBackend.StartAsync(backends, backend);
        var key = StateBackend.NewKey();
        var etag = backend switch
        {
            StateBackend.PostgresV1 or StateBackend.Redis => "5",
            _ => Guid.NewGuid().ToString(),
        };

        var saved = await scope.Client.TrySaveStateAsync(StateBackend.StoreName, key, new Order("new", 1), etag, cancellationToken: Ct);
        var (value, newETag) = await scope.Client.GetStateAndETagAsync<Order>(StateBackend.StoreName, key, cancellationToken: Ct);

        if (backend == StateBackend.Redis)
        {
            Assert.True(saved);
            Assert.Equal(new Order("new", 1), value);
            Assert.Equal("1", newETag);
        }
        else
        {
            Assert.False(saved);
            Assert.Null(value);
        }
    }

    [Theory]
    [MemberData(nameof(StateBackend.All), MemberType = typeof(StateBackend))]
    public async Task TrySaveState_EmptyETag_WritesUnconditionally(string backend)
    {
        await using var scope = await StateBackend.StartAsync(backends, backend);
        var key = StateBackend.NewKey();

        var created = await scope.Client.TrySaveStateAsync(StateBackend.StoreName, key, new Order("first", 1), "", cancellationToken: Ct);
        var overwritten = await scope.Client.TrySaveStateAsync(StateBackend.StoreName, key, new Order("second", 2), "", cancellationToken: Ct);

        Assert.True(created);
        Assert.True(overwritten);
        Assert.Equal(new Order("second", 2), await scope.Client.GetStateAsync<Order>(StateBackend.StoreName, key, cancellationToken: Ct));
    }

    [Theory]
    [MemberData(nameof(StateBackend.All), MemberType = typeof(StateBackend))]
    public async Task TrySaveState_LastWriteWithStaleETag_OnlyRedisIgnoresTheETag(string backend)
    {
        await using var scope = await StateBackend.StartAsync(backends, backend);
        var key = StateBackend.NewKey();
        await scope.Client.SaveStateAsync(StateBackend.StoreName, key, new Order("v1", 1), cancellationToken: Ct);
        var (_, stale) = await scope.Client.GetStateAndETagAsync<Order>(StateBackend.StoreName, key, cancellationToken: Ct);
        await scope.Client.SaveStateAsync(StateBackend.StoreName, key, new Order("v2", 2), cancellationToken: Ct);
        var lastWrite = new StateOptions { Concurrency = ConcurrencyMode.LastWrite };

        var saved = await scope.Client.TrySaveStateAsync(StateBackend.StoreName, key, new Order("v3", 3), stale, lastWrite, cancellationToken: Ct);

        Assert.Equal(backend == StateBackend.Redis, saved);
    }

    [Theory]
    [MemberData(nameof(StateBackend.All), MemberType = typeof(StateBackend))]
    public async Task SaveState_FirstWriteOnExistingKey_FollowsTheStoreRule(string backend)
    {
        await using var scope = await StateBackend.StartAsync(backends, backend);
        var key = StateBackend.NewKey();
        var firstWrite = new StateOptions { Concurrency = ConcurrencyMode.FirstWrite };
        await scope.Client.SaveStateAsync(StateBackend.StoreName, key, new Order("v1", 1), cancellationToken: Ct);

        var save = () => scope.Client.SaveStateAsync(StateBackend.StoreName, key, new Order("v2", 2), firstWrite, cancellationToken: Ct);

        switch (backend)
        {
            case StateBackend.Redis:
                // Allowed because the key was not itself written first-write; afterwards it is marked and refuses.
                await save();
                var error = await Assert.ThrowsAsync<DaprException>(() => scope.Client.SaveStateAsync(StateBackend.StoreName, key, new Order("v3", 3), firstWrite, cancellationToken: Ct));
                Assert.Equal(StatusCode.Internal, Assert.IsType<RpcException>(error.InnerException).StatusCode);
                Assert.Equal(new Order("v2", 2), await scope.Client.GetStateAsync<Order>(StateBackend.StoreName, key, cancellationToken: Ct));
                break;
            case StateBackend.InMemory:
                var mismatch = await Assert.ThrowsAsync<DaprException>(save);
                Assert.Equal(StatusCode.Aborted, Assert.IsType<RpcException>(mismatch.InnerException).StatusCode);
                break;
            default:
                var failed = await Assert.ThrowsAsync<DaprException>(save);
                var rpc = Assert.IsType<RpcException>(failed.InnerException);
                Assert.Equal(StatusCode.Internal, rpc.StatusCode);
                Assert.Equal($"failed saving state in state store {StateBackend.StoreName}: no item was updated", rpc.Status.Detail);
                Assert.Equal(new Order("v1", 1), await scope.Client.GetStateAsync<Order>(StateBackend.StoreName, key, cancellationToken: Ct));
                break;
        }
    }

    [Theory]
    [MemberData(nameof(StateBackend.All), MemberType = typeof(StateBackend))]
    public async Task SaveState_FirstWriteOnAbsentKey_Creates(string backend)
    {
        await using var scope = await StateBackend.StartAsync(backends, backend);
        var key = StateBackend.NewKey();

        await scope.Client.SaveStateAsync(StateBackend.StoreName, key, new Order("v1", 1), new StateOptions { Concurrency = ConcurrencyMode.FirstWrite }, cancellationToken: Ct);

        Assert.Equal(new Order("v1", 1), await scope.Client.GetStateAsync<Order>(StateBackend.StoreName, key, cancellationToken: Ct));
    }

    [Theory]
    [MemberData(nameof(StateBackend.All), MemberType = typeof(StateBackend))]
    public async Task TryDeleteState_StaleETag_ReturnsFalseAndKeepsValue(string backend)
    {
        await using var scope = await StateBackend.StartAsync(backends, backend);
        var key = StateBackend.NewKey();
        await scope.Client.SaveStateAsync(StateBackend.StoreName, key, new Order("v1", 1), cancellationToken: Ct);
        var (_, stale) = await scope.Client.GetStateAndETagAsync<Order>(StateBackend.StoreName, key, cancellationToken: Ct);
        await scope.Client.SaveStateAsync(StateBackend.StoreName, key, new Order("v2", 2), cancellationToken: Ct);

        var deleted = await scope.Client.TryDeleteStateAsync(StateBackend.StoreName, key, stale, cancellationToken: Ct);

        Assert.False(deleted);
        Assert.Equal(new Order("v2", 2), await scope.Client.GetStateAsync<Order>(StateBackend.StoreName, key, cancellationToken: Ct));
    }

    [Theory]
    [MemberData(nameof(StateBackend.All), MemberType = typeof(StateBackend))]
    public async Task TryDeleteState_EmptyETag_DeletesExceptOnRedis(string backend)
    {
        await using var scope = await StateBackend.StartAsync(backends, backend);
        var key = StateBackend.NewKey();
        await scope.Client.SaveStateAsync(StateBackend.StoreName, key, new Order("v1", 1), cancellationToken: Ct);

        // daprd passes "" through on deletes; Dapr's Redis script then compares it with the version.
        var deleted = await scope.Client.TryDeleteStateAsync(StateBackend.StoreName, key, "", cancellationToken: Ct);

        Assert.Equal(backend != StateBackend.Redis, deleted);
        Assert.Equal(backend == StateBackend.Redis, await scope.Client.GetStateAsync<Order>(StateBackend.StoreName, key, cancellationToken: Ct) is not null);
    }

    [Theory]
    [MemberData(nameof(StateBackend.All), MemberType = typeof(StateBackend))]
    public async Task TryDeleteState_CurrentETag_Deletes(string backend)
    {
        await using var scope = await StateBackend.StartAsync(backends, backend);
        var key = StateBackend.NewKey();
        await scope.Client.SaveStateAsync(StateBackend.StoreName, key, new Order("v1", 1), cancellationToken: Ct);
        var (_, etag) = await scope.Client.GetStateAndETagAsync<Order>(StateBackend.StoreName, key, cancellationToken: Ct);

        var deleted = await scope.Client.TryDeleteStateAsync(StateBackend.StoreName, key, etag, cancellationToken: Ct);

        Assert.True(deleted);
        Assert.Null(await scope.Client.GetStateAsync<Order>(StateBackend.StoreName, key, cancellationToken: Ct));
    }

    [Theory]
    [MemberData(nameof(StateBackend.All), MemberType = typeof(StateBackend))]
    public async Task SaveState_KeyWithDoublePipe_IsRefusedAsInvalidArgument(string backend)
    {
        await using var scope = await StateBackend.StartAsync(backends, backend);

        var error = await Assert.ThrowsAsync<DaprException>(() => scope.Client.SaveStateAsync(StateBackend.StoreName, "a||b", new Order("x", 1), cancellationToken: Ct));

        var rpc = Assert.IsType<RpcException>(error.InnerException);
        Assert.Equal(StatusCode.InvalidArgument, rpc.StatusCode);
        Assert.Contains("can't contain '||'", rpc.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(StateBackend.All), MemberType = typeof(StateBackend))]
    public async Task GetState_UnknownStore_IsInvalidArgument(string backend)
    {
        await using var scope = await StateBackend.StartAsync(backends, backend);

        var error = await Assert.ThrowsAsync<DaprException>(() => scope.Client.GetStateAsync<Order>("nope", "k", cancellationToken: Ct));

        var rpc = Assert.IsType<RpcException>(error.InnerException);
        Assert.Equal(StatusCode.InvalidArgument, rpc.StatusCode);
        Assert.Equal("state store nope is not found", rpc.Status.Detail);
    }

    [Theory]
    [MemberData(nameof(StateBackend.All), MemberType = typeof(StateBackend))]
    public async Task SaveState_NonIntegerTtl_IsInternalFromTheComponentAndOtherItemsAreWritten(string backend)
    {
        await using var scope = await StateBackend.StartAsync(backends, backend);
        var (first, second, third) = (StateBackend.NewKey(), StateBackend.NewKey(), StateBackend.NewKey());

        // daprd does not validate ttlInSeconds; the component does when it writes that item.
        var error = await Assert.ThrowsAsync<DaprException>(() => scope.Client.SaveBulkStateAsync(StateBackend.StoreName,
        [
            new SaveStateItem<string>(first, "kept", ""),
            new SaveStateItem<string>(second, "refused", "", metadata: new Dictionary<string, string> { ["ttlInSeconds"] = "soon" }),
            new SaveStateItem<string>(third, "also kept", ""),
        ], Ct));

        var rpc = Assert.IsType<RpcException>(error.InnerException);
        Assert.Equal(StatusCode.Internal, rpc.StatusCode);
        Assert.StartsWith($"failed saving state in state store {StateBackend.StoreName}: error parsing TTL", rpc.Status.Detail, StringComparison.Ordinal);
        Assert.Equal("kept", await scope.Client.GetStateAsync<string>(StateBackend.StoreName, first, cancellationToken: Ct));
        Assert.Null(await scope.Client.GetStateAsync<string>(StateBackend.StoreName, second, cancellationToken: Ct));
        Assert.Equal("also kept", await scope.Client.GetStateAsync<string>(StateBackend.StoreName, third, cancellationToken: Ct));
    }

    [Theory]
    [MemberData(nameof(StateBackend.All), MemberType = typeof(StateBackend))]
    public async Task SaveState_TtlBelowMinusOne_OnlyPostgresRefuses(string backend)
    {
        await using var scope = await StateBackend.StartAsync(backends, backend);
        var key = StateBackend.NewKey();
        var metadata = new Dictionary<string, string> { ["ttlInSeconds"] = "-2" };

        var save = () => scope.Client.SaveStateAsync(StateBackend.StoreName, key, "v", metadata: metadata, cancellationToken: Ct);

        if (StateBackend.IsPostgres(backend))
        {
            var error = await Assert.ThrowsAsync<DaprException>(save);
            var rpc = Assert.IsType<RpcException>(error.InnerException);
            Assert.Equal(StatusCode.Internal, rpc.StatusCode);
            Assert.EndsWith("must be -1 or greater", rpc.Status.Detail, StringComparison.Ordinal);
        }
        else
        {
            // Redis persists the key (ttl <= 0), in-memory treats a negative TTL as none.
            await save();
            Assert.Equal("v", await scope.Client.GetStateAsync<string>(StateBackend.StoreName, key, cancellationToken: Ct));
            Assert.False(await ExpiresAsync(scope, backend, key));
        }
    }

    [Fact]
    public async Task SaveState_EmptyKey_IsInvalidArgument()
    {
        await using var scope = await StateBackend.StartAsync(backends, StateBackend.InMemory);

        // The SDK refuses an empty key itself, so this goes through the raw gRPC client.
        var request = new Dapr.Client.Autogen.Grpc.v1.SaveStateRequest { StoreName = StateBackend.StoreName };
        request.States.Add(new Dapr.Client.Autogen.Grpc.v1.StateItem { Key = "", Value = Google.Protobuf.ByteString.CopyFromUtf8("1") });

        var rpc = await Assert.ThrowsAsync<RpcException>(async () => await scope.Grpc.SaveStateAsync(request, cancellationToken: Ct));

        Assert.Equal(StatusCode.InvalidArgument, rpc.StatusCode);
        Assert.Equal("state key cannot be empty", rpc.Status.Detail);
    }

    [Theory]
    [MemberData(nameof(StateBackend.All), MemberType = typeof(StateBackend))]
    public async Task SaveState_ShortTtl_ExpiresAndReportsExpireTime(string backend)
    {
        await using var scope = await StateBackend.StartAsync(backends, backend);
        var key = StateBackend.NewKey();
        var before = DateTimeOffset.UtcNow;
        await scope.Client.SaveStateAsync(StateBackend.StoreName, key, new Order("ttl", 1), metadata: new Dictionary<string, string> { ["ttlInSeconds"] = "2" }, cancellationToken: Ct);

        var response = await scope.Grpc.GetStateAsync(new() { StoreName = StateBackend.StoreName, Key = key }, cancellationToken: Ct);
        await Eventually.MatchAsync<Order?>(
            async () => await scope.Client.GetStateAsync<Order>(StateBackend.StoreName, key, cancellationToken: Ct),
            value => value is null,
            TimeSpan.FromSeconds(10),
            "the item expires");

        if (backend == StateBackend.Redis)
        {
            // Dapr's Redis store does not report the expiry on reads.
            Assert.False(response.Metadata.ContainsKey("ttlExpireTime"));
        }
        else
        {
            Assert.True(response.Metadata.TryGetValue("ttlExpireTime", out var expireText), "ttlExpireTime is reported while the item lives");
            var expire = DateTimeOffset.Parse(expireText, System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(expire, before.AddSeconds(1), before.AddSeconds(6));
        }
    }

    [Theory]
    [MemberData(nameof(StateBackend.All), MemberType = typeof(StateBackend))]
    public async Task SaveState_RewriteWithoutTtl_ClearsTtlExceptOnRedis(string backend)
    {
        await using var scope = await StateBackend.StartAsync(backends, backend);
        var key = StateBackend.NewKey();
        await scope.Client.SaveStateAsync(StateBackend.StoreName, key, new Order("ttl", 1), metadata: new Dictionary<string, string> { ["ttlInSeconds"] = "300" }, cancellationToken: Ct);

        var before = await ExpiresAsync(scope, backend, key);

        await scope.Client.SaveStateAsync(StateBackend.StoreName, key, new Order("again", 2), cancellationToken: Ct);
        var after = await ExpiresAsync(scope, backend, key);

        Assert.True(before);
        Assert.Equal(backend == StateBackend.Redis, after);
    }

    [Theory]
    [MemberData(nameof(StateBackend.All), MemberType = typeof(StateBackend))]
    public async Task SaveState_ContentTypeJsonWithInvalidJson_Fails(string backend)
    {
        await using var scope = await StateBackend.StartAsync(backends, backend);
        var metadata = new Dictionary<string, string> { ["contentType"] = "application/json" };
        var key = StateBackend.NewKey();

        await Assert.ThrowsAsync<DaprException>(() => scope.Client.SaveByteStateAsync(StateBackend.StoreName, key, "{not json"u8.ToArray(), metadata: metadata, cancellationToken: Ct));

        Assert.Null(await scope.Client.GetStateAsync<Order>(StateBackend.StoreName, key, cancellationToken: Ct));
    }

    /// <summary>Whether the item has a TTL: Redis by the key's expiry (Dapr reports none there), the others by ttlExpireTime.</summary>
    private async Task<bool> ExpiresAsync(StateScope scope, string backend, string key)
    {
        if (backend == StateBackend.Redis)
        {
            return await backends.Redis.Database.KeyTimeToLiveAsync($"{scope.AppId}||{key}") is not null;
        }

        var response = await scope.Grpc.GetStateAsync(new() { StoreName = StateBackend.StoreName, Key = key }, cancellationToken: Ct);
        return response.Metadata.ContainsKey("ttlExpireTime");
    }

    public sealed record Order(string Id, decimal Total);
}
