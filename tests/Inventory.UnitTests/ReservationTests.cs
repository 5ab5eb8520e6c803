using Inventory.Contracts;
using Inventory.Domain;

namespace Inventory.UnitTests;

public sealed class ReservationTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly IReadOnlyList<ReservationLine> Lines = [new("A", 1), new("B", 2)];

    [Fact]
    public void Normalize_UnsortedLines_SortedBySkuOrdinal()
    {
        var lines = ReservationLines.Normalize([new("b", 1), new("B", 1), new("a", 1)]);

        Assert.Equal(["B", "a", "b"], lines!.Select(l => l.Sku));
    }

    [Fact]
    public void Normalize_DuplicateSku_Null() =>
        Assert.Null(ReservationLines.Normalize([new("A", 1), new("B", 1), new("A", 2)]));

    [Fact]
    public void Start_Pending_NoEventPending()
    {
        var reservation = Reservation.Start("o1", Lines, Now);

        Assert.Equal(ReservationStatus.Pending, reservation.Status);
        Assert.Equal(1, reservation.Version);
        Assert.False(reservation.EventPending);
    }

    [Fact]
    public void HasLines_SameNormalizedLines_True_OtherQuantity_False()
    {
        var reservation = Reservation.Start("o1", Lines, Now);

        Assert.True(reservation.HasLines(ReservationLines.Normalize([new("B", 2), new("A", 1)])!));
        Assert.False(reservation.HasLines([new("A", 1), new("B", 3)]));
    }

    [Fact]
    public void Reserve_FromPending_BumpsVersionAndPendsEvent()
    {
        var reserved = Reservation.Start("o1", Lines, Now).Reserve(Now.AddSeconds(1));

        Assert.Equal(ReservationStatus.Reserved, reserved.Status);
        Assert.Equal(2, reserved.Version);
        Assert.True(reserved.EventPending);
        Assert.Equal(Now.AddSeconds(1), reserved.UpdatedAt);
    }

    [Fact]
    public void AnyMove_WhileEventPending_Throws()
    {
        var reserved = Reservation.Start("o1", Lines, Now).Reserve(Now);

        Assert.Throws<InvalidOperationException>(() => reserved.Commit(Now));
        Assert.Throws<InvalidOperationException>(() => reserved.Release(Now));
    }

    [Fact]
    public void Published_ClearsEventPending_KeepsVersion()
    {
        var reserved = Reservation.Start("o1", Lines, Now).Reserve(Now);

        var published = reserved.Published();

        Assert.False(published.EventPending);
        Assert.Equal(reserved.Version, published.Version);
        Assert.Throws<InvalidOperationException>(() => published.Published());
    }

    [Fact]
    public void Commit_FromPending_Throws() =>
        Assert.Throws<InvalidOperationException>(() => Reservation.Start("o1", Lines, Now).Commit(Now));

    [Fact]
    public void Release_FromPendingOrReserved_Allowed_FromRejectedOrCommitted_Throws()
    {
        var pending = Reservation.Start("o1", Lines, Now);
        var reserved = pending.Reserve(Now).Published();

        Assert.Equal(ReservationStatus.Released, pending.Release(Now).Status);
        Assert.Equal(ReservationStatus.Released, reserved.Release(Now).Status);
        Assert.Throws<InvalidOperationException>(() => pending.Reject([], "x", Now).Published().Release(Now));
        Assert.Throws<InvalidOperationException>(() => reserved.Commit(Now).Published().Release(Now));
    }

    [Fact]
    public void Reject_RecordsShortagesAndReason()
    {
        var rejected = Reservation.Start("o1", Lines, Now).Reject([new Shortage("B", 2, 1)], Reservation.InsufficientStockReason, Now);

        Assert.Equal(ReservationStatus.Rejected, rejected.Status);
        Assert.Equal([new Shortage("B", 2, 1)], rejected.Shortages);
        Assert.Equal(Reservation.InsufficientStockReason, rejected.Reason);
    }

    [Fact]
    public void ReleasedTombstone_NoLines_EventPending()
    {
        var tombstone = Reservation.ReleasedTombstone("o1", Now);

        Assert.Equal(ReservationStatus.Released, tombstone.Status);
        Assert.Empty(tombstone.Lines);
        Assert.True(tombstone.EventPending);
    }

    [Theory]
    [InlineData(ReservationStatus.Reserved, LineSettlement.None)]
    [InlineData(ReservationStatus.Rejected, LineSettlement.GiveBack)]
    [InlineData(ReservationStatus.Released, LineSettlement.GiveBack)]
    [InlineData(ReservationStatus.Committed, LineSettlement.Commit)]
    public void Settlement_PerStatus(ReservationStatus status, LineSettlement expected) =>
        Assert.Equal(expected, (Reservation.Start("o1", Lines, Now) with { Status = status }).Settlement);

    [Fact]
    public void IsStale_PendingPastDeadline_True_DecidedNever()
    {
        var pending = Reservation.Start("o1", Lines, Now);
        var later = Now.AddMinutes(11);

        Assert.True(pending.IsStale(later, TimeSpan.FromMinutes(10)));
        Assert.False(pending.IsStale(Now.AddMinutes(9), TimeSpan.FromMinutes(10)));
        Assert.False(pending.Reserve(Now).IsStale(later, TimeSpan.FromMinutes(10)));
    }

    [Fact]
    public void Event_SameRecord_SamePayloadAndDeterministicEventId()
    {
        var reserved = Reservation.Start("o1", Lines, Now).Reserve(Now.AddSeconds(1));

        var (type, payload) = InventoryEvents.For(reserved);

        Assert.Equal("StockReserved", type);
        var reservedEvent = Assert.IsType<StockReserved>(payload);
        Assert.Equal("o1:2", reservedEvent.EventId);
        Assert.Equal(Now.AddSeconds(1), reservedEvent.OccurredAt);
        Assert.Equal([new StockLine("A", 1), new StockLine("B", 2)], reservedEvent.Lines);
        var again = Assert.IsType<StockReserved>(InventoryEvents.For(reserved).Payload);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(reservedEvent), System.Text.Json.JsonSerializer.Serialize(again));
    }

    [Fact]
    public void Event_PerStatus_NamedAfterIt()
    {
        var pending = Reservation.Start("o1", Lines, Now);
        var reserved = pending.Reserve(Now);

        Assert.Equal("StockRejected", InventoryEvents.For(pending.Reject([new Shortage("A", 1, 0)], "insufficient stock", Now)).Type);
        Assert.Equal("StockReleased", InventoryEvents.For(reserved.Published().Release(Now)).Type);
        Assert.Equal("StockCommitted", InventoryEvents.For(reserved.Published().Commit(Now)).Type);
        Assert.Throws<InvalidOperationException>(() => InventoryEvents.For(pending));
    }

    [Fact]
    public void Options_RetentionShorterThanTwicePendingDeadline_Invalid()
    {
        var options = new InventoryOptions { PendingDeadline = TimeSpan.FromMinutes(10), SettledRetention = TimeSpan.FromMinutes(15) };

        Assert.NotEmpty(options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)));
    }
}
