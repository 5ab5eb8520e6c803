using Sidecar.Components;
using Sidecar.State;

namespace Sidecar.Tests.State;

/// <summary>KeysLikeAsync, the KEYS_LIKE feature the workflow engine lists instances with: LIKE semantics, live keys only.</summary>
public sealed class StateKeysLikeTests(BackendsFixture backends)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(StateBackend.All), MemberType = typeof(StateBackend))]
    public async Task KeysLike_EscapedPrefixAndSuffix_ReturnsOnlyLiveMatches(string backend)
    {
        await using var scope = await StateBackend.StartAsync(backends, backend);
        var store = StoreOf(scope);
        var prefix = $"{scope.AppId}||wf_type||";
        foreach (var (key, ttl) in new[] { ($"{prefix}a||metadata", (int?)null), ($"{prefix}b||metadata", null), ($"{prefix}b||history-000000", null), ($"{scope.AppId}||wfXtype||c||metadata", null), ($"{prefix}gone||metadata", 1) })
        {
            await store.SetAsync(new StateSetRequest(key, StateValue.FromBytes("1"u8.ToArray()), null, StateConcurrency.LastWrite, ttl), Ct);
        }

        var pattern = prefix.Replace("_", "\\_", StringComparison.Ordinal) + "%||metadata";
        var keys = await Platform.Testing.Eventually.MatchAsync(
            () => store.KeysLikeAsync(pattern, Ct),
            k => k.Count == 2,
            TimeSpan.FromSeconds(10),
            "the TTL key expires and the rest match");

        Assert.Equal([$"{prefix}a||metadata", $"{prefix}b||metadata"], keys.Order());
    }

    private static IStateStore StoreOf(StateScope scope) =>
        ((ComponentRegistry)scope.Sidecar.Host.Services.GetService(typeof(ComponentRegistry))!).StateStores[StateBackend.StoreName].Store;
}
