using Sidecar.State;

namespace Sidecar.Tests.State;

/// <summary>state.in-memory's transactions: all or nothing, whatever the operations before the failing one did.</summary>
public sealed class InMemoryStateStoreTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ExecuteTransaction_ACheckFailsAfterAnOverwriteADeleteAndAnInsert_EveryKeyIsAsBefore()
    {
        var store = new InMemoryStateStore(TimeProvider.System);
        await store.SetAsync(Set("overwritten", "v1"), Ct);
        await store.SetAsync(Set("deleted", "v1"), Ct);
        await store.SetAsync(Set("guarded", "v1"), Ct);
        var before = await SnapshotAsync(store, "overwritten", "deleted", "guarded");

        await Assert.ThrowsAsync<ETagMismatchException>(() => store.ExecuteTransactionAsync(
        [
            new UpsertOperation(Set("overwritten", "v2")),
            new DeleteOperation(new StateDeleteRequest("deleted", null, StateConcurrency.LastWrite)),
            new UpsertOperation(Set("inserted", "v1")),
            new UpsertOperation(Set("overwritten", "v3")),
            new UpsertOperation(Set("guarded", "v2") with { ETag = "not-its-etag" }),
        ], Ct));

        Assert.Equal(before, await SnapshotAsync(store, "overwritten", "deleted", "guarded"));
        Assert.Null(await store.GetAsync("inserted", Ct));
    }

    private static StateSetRequest Set(string key, string value) =>
        new(key, StateValue.FromBytes(System.Text.Encoding.UTF8.GetBytes(value)), null, StateConcurrency.LastWrite, null);

    private static async Task<List<(string Value, string ETag)>> SnapshotAsync(InMemoryStateStore store, params string[] keys)
    {
        var entries = new List<(string, string)>();
        foreach (var key in keys)
        {
            var entry = await store.GetAsync(key, Ct) ?? throw new InvalidOperationException($"{key} is missing");
            entries.Add((System.Text.Encoding.UTF8.GetString(entry.Data), entry.ETag));
        }

        return entries;
    }
}
