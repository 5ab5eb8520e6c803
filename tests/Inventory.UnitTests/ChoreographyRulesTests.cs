using Inventory.Choreography;
using Inventory.Domain;
using Inventory.Reservations;
using ServiceDefaults;

namespace Inventory.UnitTests;

public sealed class ChoreographyRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);
    private static readonly IReadOnlyList<ReservationLine> Lines = [new("A", 1)];

    [Theory]
    [InlineData("Choreography", SagaReaction.Reserve)]
    [InlineData("Orchestration", SagaReaction.Ignore)]
    [InlineData("choreography", SagaReaction.Ignore)]
    public void OnOrderPlaced_SagaMode_ReservesOnlyChoreographedOrders(string mode, SagaReaction reaction) =>
        Assert.Equal(reaction, ChoreographyRules.OnOrderPlaced(mode));

    [Theory]
    [InlineData(true, null, SagaReaction.Release)]
    [InlineData(false, "Choreography", SagaReaction.Release)]
    [InlineData(false, "Orchestration", SagaReaction.Ignore)]
    [InlineData(false, null, SagaReaction.Ignore)]
    public void OnOrderCancelled_ChoreographedBySeenPlacementOrByTheEventsMode_Releases(bool seen, string? mode, SagaReaction reaction) =>
        Assert.Equal(reaction, ChoreographyRules.OnOrderCancelled(seen ? new SagaParticipation("order-1", Now) : null, mode));

    [Theory]
    [InlineData("Orchestration", true)]
    [InlineData("Choreography", false)]
    [InlineData(null, false)]
    public void RunsAnotherSaga_EventNamesItsMode_TrueOnlyForAnotherMode(string? mode, bool another) =>
        Assert.Equal(another, ChoreographyRules.RunsAnotherSaga(mode));

    [Fact]
    public void OnPaymentFailedAndOrderConfirmed_OrderNeverSeenInChoreography_Ignored()
    {
        Assert.Equal(SagaReaction.Ignore, ChoreographyRules.OnPaymentFailed(null));
        Assert.Equal(SagaReaction.Ignore, ChoreographyRules.OnOrderConfirmed(null));
    }

    [Fact]
    public void OnPaymentFailedAndOrderConfirmed_ChoreographedOrder_ReleaseAndCommit()
    {
        var seen = new SagaParticipation("order-1", Now);

        Assert.Equal(SagaReaction.Release, ChoreographyRules.OnPaymentFailed(seen));
        Assert.Equal(SagaReaction.Commit, ChoreographyRules.OnOrderConfirmed(seen));
    }

    [Fact]
    public void LinesToReserve_ValidLines_NormalizedBySku()
    {
        var (lines, problem) = ChoreographyRules.LinesToReserve([new("b", 1), new("a", 2)], maxLines: 10);

        Assert.Null(problem);
        Assert.Equal(["a", "b"], lines!.Select(l => l.Sku));
    }

    public static TheoryData<ReservationLine[]> UnreservableLines => new()
    {
        Array.Empty<ReservationLine>(),
        new ReservationLine[] { new("A", 1), new("B", 1), new("C", 1) },
        new ReservationLine[] { new("bad sku", 1) },
        new ReservationLine[] { new("A", 0) },
        new ReservationLine[] { new("A", ChoreographyRules.MaxQuantityPerLine + 1) },
        new ReservationLine[] { new("A", 1), new("A", 2) },
    };

    [Theory]
    [MemberData(nameof(UnreservableLines))]
    public void LinesToReserve_LinesTheReserveApiRefuses_Problem(ReservationLine[] lines)
    {
        var (normalized, problem) = ChoreographyRules.LinesToReserve(lines, maxLines: 2);

        Assert.Null(normalized);
        Assert.NotNull(problem);
    }

    [Fact]
    public void ReserveAnswer_UnknownSku_RetryThenDeadLetter() =>
        Assert.Equal(TopicStatus.Retry, SagaEventsApi.ReserveAnswer(new ReserveResult(ReserveOutcome.UnknownSku, null, ["A"])).Status);

    [Fact]
    public void ReserveAnswer_OtherLinesForTheOrder_Drop() =>
        Assert.Equal(TopicStatus.Drop, SagaEventsApi.ReserveAnswer(new ReserveResult(ReserveOutcome.LinesDiffer, Reservation.Start("o", Lines, Now), [])).Status);

    [Fact]
    public void ReserveAnswer_DecidedReservation_Success()
    {
        var reserved = Reservation.Start("o", Lines, Now).Reserve(Now);
        var rejected = Reservation.Start("o", Lines, Now).Reject([new Shortage("A", 1, 0)], Reservation.InsufficientStockReason, Now);

        Assert.Equal(TopicStatus.Success, SagaEventsApi.ReserveAnswer(new ReserveResult(ReserveOutcome.Created, reserved, [])).Status);
        Assert.Equal(TopicStatus.Success, SagaEventsApi.ReserveAnswer(new ReserveResult(ReserveOutcome.Existing, rejected, [])).Status);
    }

    [Fact]
    public void ReleaseAndCommitAnswers_StateContradictsTheEvent_Drop()
    {
        var reserved = Reservation.Start("o", Lines, Now).Reserve(Now);
        var committed = reserved.Published().Commit(Now);
        var released = reserved.Published().Release(Now);

        Assert.Equal(TopicStatus.Drop, SagaEventsApi.ReleaseAnswer(committed).Status);
        Assert.Equal(TopicStatus.Success, SagaEventsApi.ReleaseAnswer(released).Status);
        Assert.Equal(TopicStatus.Success, SagaEventsApi.CommitAnswer(committed).Status);
        Assert.Equal(TopicStatus.Drop, SagaEventsApi.CommitAnswer(released).Status);
        Assert.Equal(TopicStatus.Drop, SagaEventsApi.CommitAnswer(null).Status);
    }
}
