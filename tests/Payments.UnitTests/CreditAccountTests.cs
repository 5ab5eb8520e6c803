using Payments.Domain;

namespace Payments.UnitTests;

public sealed class CreditAccountTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly CreditLedgerPolicy Policy = new(TimeSpan.FromDays(30), 100);

    private static CreditAccount Applied(CreditDecision decision) => Assert.IsType<CreditDecision.Applied>(decision).Account;

    [Fact]
    public void Award_NewOrder_AddsPointsAndRecordsOrder()
    {
        var decision = Assert.IsType<CreditDecision.Applied>(CreditAccount.Open("c1").Award("o1", 50, Now, Policy));

        Assert.Equal(50, decision.Account.Balance);
        Assert.Equal(1, decision.Account.Version);
        Assert.Equal(CreditChange.Awarded, decision.Change);
        Assert.Equal(50, decision.Points);
        Assert.Equal(new CreditEntry(50, CreditEntryStatus.Awarded, Now), decision.Account.Orders["o1"]);
    }

    [Fact]
    public void Award_SameOrderAgain_UnchangedNoDoublePoints()
    {
        var account = Applied(CreditAccount.Open("c1").Award("o1", 50, Now, Policy));

        var again = Assert.IsType<CreditDecision.Unchanged>(account.Award("o1", 50, Now.AddMinutes(1), Policy));

        Assert.Equal(50, again.Account.Balance);
        Assert.Equal(1, again.Account.Version);
    }

    [Fact]
    public void Award_SameOrderOtherPoints_Rejected()
    {
        var account = Applied(CreditAccount.Open("c1").Award("o1", 50, Now, Policy));

        Assert.IsType<CreditDecision.Rejected>(account.Award("o1", 60, Now, Policy));
    }

    [Fact]
    public void Award_DifferentOrders_BalanceIsTheSum()
    {
        var account = Applied(Applied(CreditAccount.Open("c1").Award("o1", 50, Now, Policy)).Award("o2", 25, Now, Policy));

        Assert.Equal(75, account.Balance);
        Assert.Equal(2, account.Version);
    }

    [Fact]
    public void Award_ZeroOrNegativePoints_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CreditAccount.Open("c1").Award("o1", 0, Now, Policy));
        Assert.Throws<ArgumentOutOfRangeException>(() => CreditAccount.Open("c1").Award("o1", -5, Now, Policy));
    }

    [Fact]
    public void Revoke_AwardedOrder_TakesBackExactlyItsPoints()
    {
        var account = Applied(Applied(CreditAccount.Open("c1").Award("o1", 50, Now, Policy)).Award("o2", 25, Now, Policy));

        var revoked = Assert.IsType<CreditDecision.Applied>(account.Revoke("o1", Now, Policy));

        Assert.Equal(25, revoked.Account.Balance);
        Assert.Equal(50, revoked.Points);
        Assert.Equal(CreditChange.Revoked, revoked.Change);
        Assert.Equal(CreditEntryStatus.Revoked, revoked.Account.Orders["o1"].Status);
    }

    [Fact]
    public void Revoke_Twice_SecondUnchanged()
    {
        var account = Applied(Applied(CreditAccount.Open("c1").Award("o1", 50, Now, Policy)).Revoke("o1", Now, Policy));

        var again = Assert.IsType<CreditDecision.Unchanged>(account.Revoke("o1", Now, Policy));

        Assert.Equal(0, again.Account.Balance);
        Assert.Equal(2, again.Account.Version);
    }

    [Fact]
    public void Revoke_BeforeAward_RecordedWithZeroPointsAndLateAwardNotApplied()
    {
        var revoked = Assert.IsType<CreditDecision.Applied>(CreditAccount.Open("c1").Revoke("o1", Now, Policy));
        Assert.Equal(0, revoked.Points);
        Assert.Equal(CreditEntryStatus.RevokedBeforeAward, revoked.Account.Orders["o1"].Status);

        var lateAward = Assert.IsType<CreditDecision.Unchanged>(revoked.Account.Award("o1", 50, Now.AddSeconds(1), Policy));

        Assert.Equal(0, lateAward.Account.Balance);
        Assert.Equal(CreditEntryStatus.RevokedBeforeAward, lateAward.Entry.Status);
    }

    [Fact]
    public void Award_AfterRevokedAward_NotAppliedAgain()
    {
        var account = Applied(Applied(CreditAccount.Open("c1").Award("o1", 50, Now, Policy)).Revoke("o1", Now, Policy));

        Assert.IsType<CreditDecision.Unchanged>(account.Award("o1", 50, Now, Policy));
    }

    [Fact]
    public void Change_EntriesOlderThanRetention_Forgotten()
    {
        var account = Applied(CreditAccount.Open("c1").Award("old", 10, Now, Policy));

        var later = Applied(account.Award("new", 5, Now + Policy.Retention + TimeSpan.FromSeconds(1), Policy));

        Assert.False(later.Orders.ContainsKey("old"));
        Assert.True(later.Orders.ContainsKey("new"));
        Assert.Equal(15, later.Balance);
    }

    [Fact]
    public void Change_MoreOrdersThanMaxEntries_LeastRecentlyChangedForgotten()
    {
        var policy = Policy with { MaxEntries = 3 };
        var account = CreditAccount.Open("c1");
        for (var i = 0; i < 5; i++)
        {
            account = Applied(account.Award($"o{i}", 1, Now.AddMinutes(i), policy));
        }

        Assert.Equal(["o2", "o3", "o4"], account.Orders.Keys.Order());
        Assert.Equal(5, account.Balance);
    }
}
