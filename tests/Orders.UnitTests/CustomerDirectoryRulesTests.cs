using Orders.Domain;

namespace Orders.UnitTests;

public sealed class CustomerDirectoryRulesTests
{
    private static IReadOnlyList<(int Shard, IReadOnlyList<string> Ids)> Directory(IEnumerable<string> customers)
    {
        var shards = Enumerable.Range(0, CustomerDirectoryRules.ShardCount).Select(_ => (IReadOnlyList<string>)[]).ToArray();
        foreach (var customer in customers)
        {
            var shard = CustomerDirectoryRules.ShardOf(customer);
            shards[shard] = CustomerDirectoryRules.Add(shards[shard], customer) ?? shards[shard];
        }

        return [.. shards.Select((ids, shard) => (shard, ids))];
    }

    private static List<string> Walk(IReadOnlyList<(int Shard, IReadOnlyList<string> Ids)> directory, int pageSize)
    {
        var seen = new List<string>();
        DirectoryCursor? cursor = null;
        do
        {
            // As the store reads: the shards from the cursor's on.
            var page = CustomerDirectoryRules.Page([.. directory.Where(s => s.Shard >= (cursor?.Shard ?? 0))], cursor, pageSize, readAll: true);
            Assert.True(page.CustomerIds.Count <= pageSize);
            seen.AddRange(page.CustomerIds);
            cursor = page.Next;
        }
        while (cursor is not null);
        return seen;
    }

    [Fact]
    public void ShardOf_SameId_SameShardInRange()
    {
        var shard = CustomerDirectoryRules.ShardOf("cust-42");

        Assert.Equal(shard, CustomerDirectoryRules.ShardOf("cust-42"));
        Assert.InRange(shard, 0, CustomerDirectoryRules.ShardCount - 1);
    }

    [Fact]
    public void Add_ExistingId_ReturnsNull_NewId_KeepsOrdinalOrder()
    {
        var ids = CustomerDirectoryRules.Add(["a", "c"], "b")!;

        Assert.Equal(["a", "b", "c"], ids);
        Assert.Null(CustomerDirectoryRules.Add(ids, "c"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(100)]
    [InlineData(1000)]
    public void Page_WalkOverAllShards_ReturnsEveryCustomerExactlyOnce(int pageSize)
    {
        var customers = Enumerable.Range(0, 300).Select(i => $"cust-{i}").ToList();

        var seen = Walk(Directory(customers), pageSize);

        Assert.Equal(customers.Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Page_EmptyDirectory_OnePageWithoutToken()
    {
        var page = CustomerDirectoryRules.Page(Directory([]), null, 10, readAll: true);

        Assert.Empty(page.CustomerIds);
        Assert.Null(page.Next);
    }

    [Fact]
    public void Page_CustomersAddedDuringTheWalk_EveryEarlierCustomerStillExactlyOnce()
    {
        var customers = Enumerable.Range(0, 120).Select(i => $"cust-{i}").ToList();
        var all = new List<string>(customers);
        var directory = Directory(all);

        var seen = new List<string>();
        DirectoryCursor? cursor = null;
        var added = 0;
        do
        {
            var page = CustomerDirectoryRules.Page([.. directory.Where(s => s.Shard >= (cursor?.Shard ?? 0))], cursor, 9, readAll: true);
            seen.AddRange(page.CustomerIds);
            cursor = page.Next;
            all.Add($"late-{added++}");
            directory = Directory(all);
        }
        while (cursor is not null);

        Assert.Equal(seen.Count, seen.Distinct(StringComparer.Ordinal).Count());
        Assert.Empty(customers.Except(seen, StringComparer.Ordinal));
    }

    [Fact]
    public void Page_NotFullAfterAPartialRead_PointsAtTheNextUnreadShard()
    {
        var firstFour = Directory([]).Take(4).ToList();

        var page = CustomerDirectoryRules.Page(firstFour, null, 10, readAll: false);

        Assert.Empty(page.CustomerIds);
        Assert.Equal(new DirectoryCursor(4, ""), page.Next);
    }

    [Fact]
    public void Page_FullInsideAShard_ContinuesAfterItsLastId()
    {
        var ids = (IReadOnlyList<string>)["a", "b", "c"];

        var first = CustomerDirectoryRules.Page([(5, ids)], new DirectoryCursor(5, ""), 2, readAll: false);
        var second = CustomerDirectoryRules.Page([(5, ids)], first.Next, 2, readAll: true);

        Assert.Equal(["a", "b"], first.CustomerIds);
        Assert.Equal(new DirectoryCursor(5, "b"), first.Next);
        Assert.Equal(["c"], second.CustomerIds);
        Assert.Null(second.Next);
    }
}
