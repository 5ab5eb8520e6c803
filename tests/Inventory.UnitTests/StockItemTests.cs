using Inventory.Domain;

namespace Inventory.UnitTests;

public sealed class StockItemTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Retention = TimeSpan.FromDays(1);

    private static StockItem Stocked(int units) => StockItem.Empty("SKU-1").Restock(units, "r0", Now, 10, Retention).Next;

    [Fact]
    public void Restock_NewId_AddsUnitsAndBumpsVersion()
    {
        var (next, applied) = StockItem.Empty("SKU-1").Restock(5, "r1", Now, 10, Retention);

        Assert.True(applied);
        Assert.Equal(5, next.Available);
        Assert.Equal(5, next.Restocked);
        Assert.Equal(1, next.Version);
    }

    [Fact]
    public void Restock_SameIdTwice_AddsOnce()
    {
        var once = Stocked(5);

        var (twice, applied) = once.Restock(5, "r0", Now, 10, Retention);

        Assert.False(applied);
        Assert.Same(once, twice);
    }

    [Fact]
    public void Restock_MoreIdsThanKept_ForgetsOldest()
    {
        var item = StockItem.Empty("SKU-1");
        for (var i = 0; i < 4; i++)
        {
            item = item.Restock(1, $"r{i}", Now, 3, Retention).Next;
        }

        Assert.Equal(["r1", "r2", "r3"], item.RecentRestockIds);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Restock_NonPositiveQuantity_Throws(int quantity) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => StockItem.Empty("SKU-1").Restock(quantity, "r", Now, 10, Retention));

    [Fact]
    public void Take_EnoughAvailable_MovesUnitsToReservedAndHoldsForOrder()
    {
        var (next, outcome) = Stocked(5).Take("o1", 3, Now, Retention);

        Assert.Equal(TakeOutcome.Taken, outcome);
        Assert.Equal(2, next.Available);
        Assert.Equal(3, next.Reserved);
        Assert.Equal(new Hold(3, HoldState.Held, Now), next.Holds["o1"]);
    }

    [Fact]
    public void Take_SameOrderTwice_SecondIsNoOp()
    {
        var once = Stocked(5).Take("o1", 3, Now, Retention).Next;

        var (twice, outcome) = once.Take("o1", 3, Now, Retention);

        Assert.Equal(TakeOutcome.AlreadyHeld, outcome);
        Assert.Same(once, twice);
    }

    [Fact]
    public void Take_MoreThanAvailable_Insufficient_NothingChanges()
    {
        var item = Stocked(2);

        var (next, outcome) = item.Take("o1", 3, Now, Retention);

        Assert.Equal(TakeOutcome.Insufficient, outcome);
        Assert.Same(item, next);
    }

    [Fact]
    public void Take_ExactlyAvailable_LeavesZero()
    {
        var (next, _) = Stocked(3).Take("o1", 3, Now, Retention);

        Assert.Equal(0, next.Available);
    }

    [Fact]
    public void Take_AfterRelease_RefusedAsSettled()
    {
        var released = Stocked(5).Take("o1", 1, Now, Retention).Next.Release("o1", Now, Retention).Next;

        var (next, outcome) = released.Take("o1", 1, Now, Retention);

        Assert.Equal(TakeOutcome.AlreadySettled, outcome);
        Assert.Same(released, next);
    }

    [Fact]
    public void Release_Held_GivesUnitsBack()
    {
        var (next, outcome) = Stocked(5).Take("o1", 3, Now, Retention).Next.Release("o1", Now, Retention);

        Assert.Equal(SettleOutcome.Applied, outcome);
        Assert.Equal(5, next.Available);
        Assert.Equal(0, next.Reserved);
        Assert.Equal(HoldState.Released, next.Holds["o1"].State);
    }

    [Fact]
    public void Release_Twice_SecondIsNoOp()
    {
        var once = Stocked(5).Take("o1", 3, Now, Retention).Next.Release("o1", Now, Retention).Next;

        var (twice, outcome) = once.Release("o1", Now, Retention);

        Assert.Equal(SettleOutcome.AlreadyApplied, outcome);
        Assert.Same(once, twice);
    }

    [Fact]
    public void Release_NothingHeld_RecordsTombstoneWithoutChangingUnits()
    {
        var (next, outcome) = Stocked(5).Release("o1", Now, Retention);

        Assert.Equal(SettleOutcome.Applied, outcome);
        Assert.Equal(5, next.Available);
        Assert.Equal(new Hold(0, HoldState.Released, Now), next.Holds["o1"]);
    }

    [Fact]
    public void Release_Committed_Refused()
    {
        var committed = Stocked(5).Take("o1", 3, Now, Retention).Next.Commit("o1", Now, Retention).Next;

        var (next, outcome) = committed.Release("o1", Now, Retention);

        Assert.Equal(SettleOutcome.AlreadyCommitted, outcome);
        Assert.Same(committed, next);
    }

    [Fact]
    public void Commit_Held_MovesReservedToCommitted()
    {
        var (next, outcome) = Stocked(5).Take("o1", 3, Now, Retention).Next.Commit("o1", Now, Retention);

        Assert.Equal(SettleOutcome.Applied, outcome);
        Assert.Equal((2L, 0L, 3L), (next.Available, next.Reserved, next.Committed));
        Assert.Equal(next.Restocked, next.Available + next.Reserved + next.Committed);
    }

    [Fact]
    public void Commit_Twice_SecondIsNoOp()
    {
        var once = Stocked(5).Take("o1", 3, Now, Retention).Next.Commit("o1", Now, Retention).Next;

        Assert.Equal(SettleOutcome.AlreadyApplied, once.Commit("o1", Now, Retention).Outcome);
    }

    [Fact]
    public void Commit_NothingHeld_Refused()
    {
        var item = Stocked(5);

        Assert.Equal(SettleOutcome.NothingHeld, item.Commit("o1", Now, Retention).Outcome);
        Assert.Equal(SettleOutcome.NothingHeld, item.Release("o1", Now, Retention).Next.Commit("o1", Now, Retention).Outcome);
    }

    [Fact]
    public void AnyChange_SettledHoldsOlderThanRetention_Forgotten_HeldKept()
    {
        var item = Stocked(10)
            .Take("old-released", 1, Now, Retention).Next.Release("old-released", Now, Retention).Next
            .Take("old-held", 1, Now, Retention).Next;

        var later = Now + Retention + TimeSpan.FromMinutes(1);
        var (next, _) = item.Take("new", 1, later, Retention);

        Assert.False(next.Holds.ContainsKey("old-released"));
        Assert.True(next.Holds.ContainsKey("old-held"));
        Assert.True(next.Holds.ContainsKey("new"));
    }

    [Fact]
    public void MixedOperations_UnitsConserved()
    {
        var item = Stocked(10)
            .Take("a", 3, Now, Retention).Next
            .Take("b", 4, Now, Retention).Next
            .Commit("a", Now, Retention).Next
            .Release("b", Now, Retention).Next
            .Take("c", 2, Now, Retention).Next;

        Assert.Equal(item.Restocked, item.Available + item.Reserved + item.Committed);
        Assert.Equal(item.Reserved, item.Holds.Values.Where(h => h.State == HoldState.Held).Sum(h => h.Quantity));
    }
}
