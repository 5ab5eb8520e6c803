using System.Text;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Sidecar.Bindings;
using Sidecar.Jobs;

namespace Sidecar.Tests.Jobs;

public sealed class ScheduleParserTests
{
    private static DateTimeOffset Utc(int year, int month, int day, int hour = 0, int minute = 0, int second = 0) =>
        new(year, month, day, hour, minute, second, TimeSpan.Zero);

    private static DateTimeOffset? Next(string spec, DateTimeOffset after, CronFieldCount fields = CronFieldCount.SixOnly) =>
        ScheduleParser.Parse(spec, fields).NextAfter(after);

    [Fact]
    public void Cron_SixFieldsEveryFiveMinutes_NextIsTheNextMultiple()
    {
        Assert.Equal(Utc(2026, 3, 10, 10, 5), Next("0 */5 * * * *", Utc(2026, 3, 10, 10, 2, 30)));
    }

    [Fact]
    public void Cron_InstantOnAnOccurrence_NextIsStrictlyAfter()
    {
        Assert.Equal(Utc(2026, 3, 10, 10, 10), Next("0 */5 * * * *", Utc(2026, 3, 10, 10, 5)));
        Assert.Equal(Utc(2026, 3, 10, 10, 5, 1), Next("* * * * * *", new DateTimeOffset(2026, 3, 10, 10, 5, 0, 500, TimeSpan.Zero)));
    }

    [Fact]
    public void Cron_EndOfYear_WrapsIntoNextYear()
    {
        Assert.Equal(Utc(2027, 1, 1), Next("0 0 0 1 1 *", Utc(2026, 12, 31, 23, 59, 59)));
    }

    [Fact]
    public void Cron_NamedWeekdayRange_SkipsTheWeekend()
    {
        // 2026-03-14 is a Saturday.
        Assert.Equal(Utc(2026, 3, 16, 9), Next("0 0 9 * * MON-FRI", Utc(2026, 3, 14, 12)));
    }

    [Fact]
    public void Cron_DayOfMonthAndDayOfWeekBothRestricted_EitherMatches()
    {
        // robfig/cron ORs the two day fields when neither is '*': the 13th or any Friday. 2026-03-06 is a Friday.
        Assert.Equal(Utc(2026, 3, 6), Next("0 0 0 13 * FRI", Utc(2026, 3, 1)));
        Assert.Equal(Utc(2026, 3, 13), Next("0 0 0 13 * FRI", Utc(2026, 3, 6, 1)));
    }

    [Fact]
    public void Cron_ListsRangesAndSteps_AreCombined()
    {
        Assert.Equal(Utc(2026, 3, 10, 14, 0), Next("0 0 8-10,14/6 * * *", Utc(2026, 3, 10, 10, 30)));
        Assert.Equal(Utc(2026, 3, 10, 20, 0), Next("0 0 8-10,14/6 * * *", Utc(2026, 3, 10, 14, 30)));
    }

    [Fact]
    public void Cron_FiveFieldsWhereAllowed_MeansSecondZero()
    {
        Assert.Equal(Utc(2026, 3, 11, 2, 30), Next("30 2 * * *", Utc(2026, 3, 10, 3), CronFieldCount.FiveOrSix));
        Assert.Equal(Utc(2026, 3, 10, 2, 30, 15), Next("15 30 2 * * *", Utc(2026, 3, 10, 1), CronFieldCount.FiveOrSix));
    }

    [Fact]
    public void Cron_FiveFieldsForJobs_IsRejected()
    {
        Assert.False(ScheduleParser.TryParse("30 2 * * *", CronFieldCount.SixOnly, out _, out var error));
        Assert.Contains("6 fields", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Cron_NeverMatchingDate_HasNoNextOccurrence()
    {
        Assert.Null(Next("0 0 0 31 2 *", Utc(2026, 1, 1)));
    }

    [Theory]
    [InlineData("@hourly", "2026-03-10T11:00:00Z")]
    [InlineData("@daily", "2026-03-11T00:00:00Z")]
    [InlineData("@midnight", "2026-03-11T00:00:00Z")]
    [InlineData("@weekly", "2026-03-15T00:00:00Z")]
    [InlineData("@monthly", "2026-04-01T00:00:00Z")]
    [InlineData("@yearly", "2027-01-01T00:00:00Z")]
    [InlineData("@annually", "2027-01-01T00:00:00Z")]
    public void Descriptor_FromTuesdayMorning_NextIsTheStartOfThePeriod(string spec, string expected)
    {
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), Next(spec, Utc(2026, 3, 10, 10, 20, 5)));
    }

    [Theory]
    [InlineData("@every 90s", 90)]
    [InlineData("@every 1h30m", 5400)]
    [InlineData("@every 1.5s", 1)]
    [InlineData("@every 500ms", 1)]
    public void Every_GoDuration_IsWholeSecondsOfAtLeastOne(string spec, int seconds)
    {
        var start = Utc(2026, 3, 10, 10, 0, 0);
        Assert.Equal(start.AddSeconds(seconds), Next(spec, start));
    }

    [Fact]
    public void Iso_TimeDuration_AddsElapsedTime()
    {
        Assert.Equal(Utc(2026, 3, 10, 10, 5), Next("PT5M", Utc(2026, 3, 10, 10, 0)));
        Assert.Equal(Utc(2026, 3, 12, 12, 0), Next("P2DT2H", Utc(2026, 3, 10, 10, 0)));
        Assert.Equal(Utc(2026, 3, 24), Next("P2W", Utc(2026, 3, 10)));
    }

    [Fact]
    public void Iso_MonthPeriod_AddsCalendarMonths()
    {
        Assert.Equal(Utc(2026, 2, 28), Next("P1M", Utc(2026, 1, 31)));
    }

    [Fact]
    public void Iso_RepeatingInterval_CarriesItsRepeatCount()
    {
        var schedule = ScheduleParser.Parse("R3/PT1S", CronFieldCount.SixOnly);

        Assert.Equal(3u, schedule.ImpliedRepeats);
        Assert.Equal(Utc(2026, 3, 10, 10, 0, 1), schedule.NextAfter(Utc(2026, 3, 10, 10)));
        Assert.Null(ScheduleParser.Parse("R/PT1S", CronFieldCount.SixOnly).ImpliedRepeats);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("* * * *")]
    [InlineData("* * * * * * *")]
    [InlineData("60 * * * * *")]
    [InlineData("0 0 24 * * *")]
    [InlineData("0 0 0 0 * *")]
    [InlineData("0 0 0 * 13 *")]
    [InlineData("0 0 0 * * 7")]
    [InlineData("0 0 0 * * FUNDAY")]
    [InlineData("0 */0 * * * *")]
    [InlineData("0 5-2 * * * *")]
    [InlineData("0 1/2/3 * * * *")]
    [InlineData("@fortnightly")]
    [InlineData("@every")]
    [InlineData("@every -1s")]
    [InlineData("@every 0s")]
    [InlineData("@every soon")]
    [InlineData("PT")]
    [InlineData("P")]
    [InlineData("P1DT")]
    [InlineData("PT0S")]
    [InlineData("R0/PT1S")]
    [InlineData("R3/PT1S/PT2S")]
    [InlineData("every minute")]
    public void TryParse_InvalidSpec_FailsWithAReason(string spec)
    {
        Assert.False(ScheduleParser.TryParse(spec, CronFieldCount.FiveOrSix, out var schedule, out var error));
        Assert.Null(schedule);
        Assert.NotEmpty(error);
    }

    [Theory]
    [InlineData("2026-03-10T10:00:00Z", "2026-03-10T10:00:00Z")]
    [InlineData("2026-03-10T12:00:00+02:00", "2026-03-10T10:00:00Z")]
    [InlineData("2026-03-10T10:00:00.25Z", "2026-03-10T10:00:00.25Z")]
    [InlineData("10s", "2026-01-01T00:00:10Z")]
    [InlineData("1h30m", "2026-01-01T01:30:00Z")]
    [InlineData("PT1M", "2026-01-01T00:01:00Z")]
    [InlineData("P1D", "2026-01-02T00:00:00Z")]
    public void JobTime_KnownForm_ResolvesAgainstCreation(string text, string expected)
    {
        Assert.True(JobTime.TryResolve(text, Utc(2026, 1, 1), out var at));
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), at);
        Assert.Equal(TimeSpan.Zero, at.Offset);
    }

    [Theory]
    [InlineData("tomorrow")]
    [InlineData("2026-13-01T00:00:00Z")]
    [InlineData("-5s")]
    [InlineData("R2/PT1S")]
    [InlineData("")]
    public void JobTime_UnknownForm_IsRejected(string text)
    {
        Assert.False(JobTime.TryResolve(text, Utc(2026, 1, 1), out _));
    }

    [Fact]
    public void TriggerBody_RawPayload_IsTrimmedBytes()
    {
        var data = new Any { TypeUrl = "dapr.io/schedule/jobpayload", Value = ByteString.CopyFromUtf8("  {\"n\":1}\n ") };

        Assert.Equal("{\"n\":1}", Encoding.UTF8.GetString(JobScheduler.TriggerBody(data)));
        Assert.Empty(JobScheduler.TriggerBody(null));
    }

    [Fact]
    public void TriggerBody_ProtobufValue_IsItsJson()
    {
        var data = Any.Pack(Value.ForStruct(new Struct { Fields = { ["order"] = Value.ForString("o-1") } }));

        Assert.Equal("{\"order\":\"o-1\"}", Encoding.UTF8.GetString(JobScheduler.TriggerBody(data)));
    }

    [Fact]
    public void GoTimeString_LikeGoTimeString_TrimsTrailingZeros()
    {
        Assert.Equal("2021-06-02 08:08:55.0007424 +0000 UTC", CronBindings.GoTimeString(new DateTimeOffset(2021, 6, 2, 8, 8, 55, TimeSpan.Zero).AddTicks(7424)));
        Assert.Equal("2021-06-02 08:08:55 +0000 UTC", CronBindings.GoTimeString(new DateTimeOffset(2021, 6, 2, 8, 8, 55, TimeSpan.Zero)));
    }
}
