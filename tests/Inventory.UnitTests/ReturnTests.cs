using Inventory.Choreography;
using Inventory.Contracts;
using Inventory.Domain;
using ServiceDefaults;

namespace Inventory.UnitTests;

/// <summary>The restock of a cancelled order: committed units back to available, once.</summary>
public sealed class ReturnTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Retention = TimeSpan.FromDays(1);
    private static readonly IReadOnlyList<ReservationLine> Lines = [new("A", 1), new("B", 2)];

    private static StockItem CommittedFor(string orderId, int units, int stock = 10)
    {
        var stocked = StockItem.Empty("A").Restock(stock, "r0", Now, 10, Retention).Next;
        var held = stocked.Take(orderId, units, Now, Retention).Next;
        return held.Commit(orderId, Now, Retention).Next;
    }

    private static Reservation Committed() =>
        Reservation.Start("o1", Lines, Now).Reserve(Now).Published().Commit(Now).Published();

    [Fact]
    public void StockReturn_CommittedHold_BackToAvailableAndConserved()
    {
        var item = CommittedFor("o1", 3);

        var (next, outcome) = item.Return("o1", 3, Now, Retention);

        Assert.Equal(SettleOutcome.Applied, outcome);
        Assert.Equal((10L, 0L, 0L, 10L), (next.Available, next.Reserved, next.Committed, next.Restocked));
        Assert.Equal(HoldState.Returned, next.Holds["o1"].State);
        Assert.Equal(item.Version + 1, next.Version);
    }

    [Fact]
    public void StockReturn_Twice_ReturnsOnce()
    {
        var once = CommittedFor("o1", 3).Return("o1", 3, Now, Retention).Next;

        var (twice, outcome) = once.Return("o1", 3, Now, Retention);

        Assert.Equal(SettleOutcome.AlreadyApplied, outcome);
        Assert.Same(once, twice);
    }

    [Fact]
    public void StockReturn_HeldNotCommitted_NotCommitted()
    {
        var held = StockItem.Empty("A").Restock(5, "r0", Now, 10, Retention).Next.Take("o1", 2, Now, Retention).Next;

        var (next, outcome) = held.Return("o1", 2, Now, Retention);

        Assert.Equal(SettleOutcome.NotCommitted, outcome);
        Assert.Same(held, next);
    }

    [Fact]
    public void StockReturn_CommittedHoldForgottenAfterRetention_ReturnsTheReservationsQuantityOnce()
    {
        // Another change a day later drops the settled hold from the record's memory.
        var forgotten = CommittedFor("o1", 3).Restock(1, "r1", Now + Retention + TimeSpan.FromMinutes(1), 10, Retention).Next;
        Assert.False(forgotten.Holds.ContainsKey("o1"));

        var (next, outcome) = forgotten.Return("o1", 3, Now + Retention + TimeSpan.FromMinutes(2), Retention);

        Assert.Equal(SettleOutcome.Applied, outcome);
        Assert.Equal((11L, 0L, 0L, 11L), (next.Available, next.Reserved, next.Committed, next.Restocked));
        Assert.Equal(SettleOutcome.AlreadyApplied, next.Return("o1", 3, Now + Retention + TimeSpan.FromMinutes(3), Retention).Outcome);
    }

    [Fact]
    public void StockReturn_NothingCommittedForAnUnknownOrder_NotCommitted() =>
        Assert.Equal(SettleOutcome.NotCommitted, StockItem.Empty("A").Restock(5, "r0", Now, 10, Retention).Next.Return("o9", 1, Now, Retention).Outcome);

    [Fact]
    public void StockTake_AfterReturn_RefusedAsSettled() =>
        Assert.Equal(TakeOutcome.AlreadySettled, CommittedFor("o1", 3).Return("o1", 3, Now, Retention).Next.Take("o1", 3, Now, Retention).Outcome);

    [Fact]
    public void ReservationReturn_Committed_ReturnedWithEventPendingAndReturnSettlement()
    {
        var returned = Committed().Return(Now);

        Assert.Equal(ReservationStatus.Returned, returned.Status);
        Assert.True(returned.EventPending);
        Assert.Equal(LineSettlement.Return, returned.Settlement);
        Assert.Equal(Committed().Version + 1, returned.Version);
    }

    [Fact]
    public void ReservationReturn_Reserved_Throws() =>
        Assert.Throws<InvalidOperationException>(() => Reservation.Start("o1", Lines, Now).Reserve(Now).Published().Return(Now));

    [Fact]
    public void ReservationReturn_Returned_CannotReturnOrCommitAgain()
    {
        var returned = Committed().Return(Now).Published();

        Assert.Throws<InvalidOperationException>(() => returned.Return(Now));
        Assert.Throws<InvalidOperationException>(() => returned.Commit(Now));
        Assert.Throws<InvalidOperationException>(() => returned.Release(Now));
    }

    [Fact]
    public void Event_Returned_StockReturnedWithLinesAndVersionedId()
    {
        var returned = Committed().Return(Now);

        var (type, payload) = InventoryEvents.For(returned);

        Assert.Equal("StockReturned", type);
        var e = Assert.IsType<StockReturned>(payload);
        Assert.Equal($"o1:{returned.Version}", e.EventId);
        Assert.Equal([new StockLine("A", 1), new StockLine("B", 2)], e.Lines);
    }

    [Theory]
    [InlineData(ReservationStatus.Returned, ReturnVerdict.Done)]
    [InlineData(ReservationStatus.Reserved, ReturnVerdict.NotYet)]
    [InlineData(ReservationStatus.Pending, ReturnVerdict.NotYet)]
    [InlineData(ReservationStatus.Released, ReturnVerdict.Contradiction)]
    [InlineData(ReservationStatus.Rejected, ReturnVerdict.Contradiction)]
    [InlineData(null, ReturnVerdict.Contradiction)]
    public void AfterReturn_Status_Verdict(ReservationStatus? status, ReturnVerdict verdict) =>
        Assert.Equal(verdict, ChoreographyRules.AfterReturn(status));

    [Fact]
    public void OnOrderCancellationRequested_OnlyOrdersSeenInTheChoreography_Return()
    {
        Assert.Equal(SagaReaction.Ignore, ChoreographyRules.OnOrderCancellationRequested(null));
        Assert.Equal(SagaReaction.Return, ChoreographyRules.OnOrderCancellationRequested(new SagaParticipation("o1", Now)));
    }

    [Fact]
    public void ReturnAnswer_NotCommittedYet_RetriedElseDoneOrDeadLettered()
    {
        Assert.Equal(TopicStatus.Retry, SagaEventsApi.ReturnAnswer(Reservation.Start("o1", Lines, Now).Reserve(Now).Published()).Status);
        Assert.Equal(TopicStatus.Success, SagaEventsApi.ReturnAnswer(Committed().Return(Now).Published()).Status);
        Assert.Equal(TopicStatus.Drop, SagaEventsApi.ReturnAnswer(null).Status);
    }

    [Fact]
    public void Reservation_CommitThenReturn_KeepsWhenItWasReservedAndCommitted()
    {
        var reservedAt = Now.AddSeconds(1);
        var committedAt = Now.AddSeconds(2);

        var returned = Reservation.Start("o1", Lines, Now).Reserve(reservedAt).Published().Commit(committedAt).Published().Return(Now.AddSeconds(9));

        Assert.Equal((ReservationStatus.Returned, 4L, reservedAt, committedAt), (returned.Status, returned.Version, returned.ReservedAt, returned.CommittedAt));
    }
}

