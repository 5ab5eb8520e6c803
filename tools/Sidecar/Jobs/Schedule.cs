using System.Globalization;
using System.Text.RegularExpressions;
using Sidecar.Resources;

namespace Sidecar.Jobs;

/// <summary>A recurring schedule, evaluated in UTC: the first occurrence strictly after an instant.</summary>
public abstract record Schedule
{
    /// <summary>Triggers the schedule itself limits to (ISO 8601 "R3/PT1S"); null = unbounded.</summary>
    public uint? ImpliedRepeats { get; init; }

    /// <returns>Null when there is no further occurrence (a cron spec that never matches within five years).</returns>
    public abstract DateTimeOffset? NextAfter(DateTimeOffset instant);
}

/// <summary>A fixed period after the previous occurrence (<c>@every 5s</c>, <c>PT5M</c>).</summary>
public sealed record IntervalSchedule(IsoPeriod Period) : Schedule
{
    public override DateTimeOffset? NextAfter(DateTimeOffset instant) => Period.AddTo(instant);
}

/// <summary>
/// A period as ISO 8601 writes it: calendar parts (years, months, days) are added on the calendar, the rest
/// as elapsed time, so <c>P1M</c> from 31 January lands on the last day of February.
/// </summary>
public sealed record IsoPeriod(int Years, int Months, int Days, TimeSpan Time)
{
    public static IsoPeriod FromTime(TimeSpan time) => new(0, 0, 0, time);

    public bool IsPositive => Years > 0 || Months > 0 || Days > 0 || Time > TimeSpan.Zero;

    public DateTimeOffset AddTo(DateTimeOffset instant) =>
        instant.AddYears(Years).AddMonths(Months).AddDays(Days).Add(Time);
}

/// <summary>
/// A cron spec with a seconds field, evaluated like robfig/cron v3 (which daprd's cron binding and the
/// scheduler use): day-of-month and day-of-week are OR-ed unless either is <c>*</c>/<c>?</c>; five years without a
/// match means never.
/// </summary>
public sealed record CronSchedule(ulong Seconds, ulong Minutes, ulong Hours, ulong DaysOfMonth, ulong Months, ulong DaysOfWeek, bool DayOfMonthStar, bool DayOfWeekStar) : Schedule
{
    public override DateTimeOffset? NextAfter(DateTimeOffset instant)
    {
        // The next whole second strictly after the instant.
        var utc = instant.UtcDateTime;
        var t = new DateTime(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc).AddSeconds(1);
        var yearLimit = t.Year + 5;
        var added = false;

    wrap:
        if (t.Year > yearLimit)
        {
            return null;
        }

        while (!Has(Months, t.Month))
        {
            if (!added)
            {
                added = true;
                t = new DateTime(t.Year, t.Month, 1, 0, 0, 0, DateTimeKind.Utc);
            }

            t = t.AddMonths(1);
            if (t.Month == 1)
            {
                goto wrap;
            }
        }

        while (!DayMatches(t))
        {
            if (!added)
            {
                added = true;
                t = t.Date;
            }

            t = t.AddDays(1);
            if (t.Day == 1)
            {
                goto wrap;
            }
        }

        while (!Has(Hours, t.Hour))
        {
            if (!added)
            {
                added = true;
                t = new DateTime(t.Year, t.Month, t.Day, t.Hour, 0, 0, DateTimeKind.Utc);
            }

            t = t.AddHours(1);
            if (t.Hour == 0)
            {
                goto wrap;
            }
        }

        while (!Has(Minutes, t.Minute))
        {
            if (!added)
            {
                added = true;
                t = new DateTime(t.Year, t.Month, t.Day, t.Hour, t.Minute, 0, DateTimeKind.Utc);
            }

            t = t.AddMinutes(1);
            if (t.Minute == 0)
            {
                goto wrap;
            }
        }

        while (!Has(Seconds, t.Second))
        {
            added = true;
            t = t.AddSeconds(1);
            if (t.Second == 0)
            {
                goto wrap;
            }
        }

        return new DateTimeOffset(t, TimeSpan.Zero);
    }

    private bool DayMatches(DateTime t)
    {
        var dom = Has(DaysOfMonth, t.Day);
        var dow = Has(DaysOfWeek, (int)t.DayOfWeek);
        return DayOfMonthStar || DayOfWeekStar ? dom && dow : dom || dow;
    }

    private static bool Has(ulong bits, int value) => (bits & (1UL << value)) != 0;
}

/// <summary>Which cron field counts a parser accepts.</summary>
public enum CronFieldCount
{
    /// <summary>Jobs API: seconds, minutes, hours, day of month, month, day of week.</summary>
    SixOnly,

    /// <summary>bindings.cron (robfig's SecondOptional): the seconds field may be left out.</summary>
    FiveOrSix,
}

/// <summary>Parses the schedule strings of the Jobs API and bindings.cron (contract §7).</summary>
public static partial class ScheduleParser
{
    private static readonly string[] MonthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    private static readonly string[] DayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

    public static Schedule Parse(string text, CronFieldCount fields) =>
        TryParse(text, fields, out var schedule, out var error) ? schedule : throw new FormatException(error);

    public static bool TryParse(string text, CronFieldCount fields, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Schedule? schedule, out string error)
    {
        schedule = null;
        error = "";
        var spec = text.Trim();
        if (spec.Length == 0)
        {
            error = "schedule is empty";
            return false;
        }

        if (spec.StartsWith('@'))
        {
            return TryParseDescriptor(spec, out schedule, out error);
        }

        if (spec.StartsWith('P') || spec.StartsWith('R'))
        {
            return TryParseIso(spec, out schedule, out error);
        }

        return TryParseCron(spec, fields, out schedule, out error);
    }

    /// <summary>
    /// An ISO 8601 duration (<c>P1DT2H</c>, <c>PT5M</c>, <c>P2W</c>); <c>R</c>-prefixed forms are rejected here,
    /// they only make sense as a schedule.
    /// </summary>
    public static bool TryParseIsoPeriod(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IsoPeriod? period)
    {
        period = null;
        var match = IsoDuration().Match(text);
        if (!match.Success || match.Groups.Cast<Group>().Skip(1).All(g => !g.Success) || text.EndsWith('T'))
        {
            return false;
        }

        int Int(int group) => match.Groups[group].Success ? int.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture) : 0;
        var seconds = match.Groups[7].Success ? double.Parse(match.Groups[7].Value.Replace(',', '.'), CultureInfo.InvariantCulture) : 0;
        period = new IsoPeriod(
            Int(1),
            Int(2),
            (Int(3) * 7) + Int(4),
            TimeSpan.FromHours(Int(5)) + TimeSpan.FromMinutes(Int(6)) + TimeSpan.FromSeconds(seconds));
        return period.IsPositive;
    }

    private static bool TryParseDescriptor(string spec, out Schedule? schedule, out string error)
    {
        schedule = null;
        error = "";
        const string every = "@every ";
        if (spec.StartsWith(every, StringComparison.Ordinal))
        {
            var durationText = spec[every.Length..].Trim();
            if (!GoDuration.TryParse(durationText, out var duration) || duration <= TimeSpan.Zero)
            {
                error = $"'{durationText}' is not a positive duration (e.g. 15m, 1h30m)";
                return false;
            }

            // robfig/cron: @every runs at whole-second periods, at least one second.
            var whole = TimeSpan.FromSeconds(Math.Max(1, Math.Floor(duration.TotalSeconds)));
            schedule = new IntervalSchedule(IsoPeriod.FromTime(whole));
            return true;
        }

        var equivalent = spec switch
        {
            "@yearly" or "@annually" => "0 0 0 1 1 *",
            "@monthly" => "0 0 0 1 * *",
            "@weekly" => "0 0 0 * * 0",
            "@daily" or "@midnight" => "0 0 0 * * *",
            "@hourly" => "0 0 * * * *",
            _ => null,
        };
        if (equivalent is null)
        {
            error = $"unrecognized descriptor: {spec}";
            return false;
        }

        return TryParseCron(equivalent, CronFieldCount.SixOnly, out schedule, out error);
    }

    private static bool TryParseIso(string spec, out Schedule? schedule, out string error)
    {
        schedule = null;
        error = "";
        uint? repeats = null;
        var periodText = spec;
        if (spec.StartsWith('R'))
        {
            var slash = spec.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0 || spec.IndexOf('/', slash + 1) >= 0)
            {
                error = $"'{spec}' is not a repeating ISO 8601 interval of the form R<n>/<duration>";
                return false;
            }

            var count = spec[1..slash];
            if (count.Length > 0)
            {
                if (!uint.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n == 0)
                {
                    error = $"'{count}' is not a positive repeat count";
                    return false;
                }

                repeats = n;
            }

            periodText = spec[(slash + 1)..];
        }

        if (!TryParseIsoPeriod(periodText, out var period))
        {
            error = $"'{periodText}' is not a positive ISO 8601 duration (e.g. PT5M, P1D)";
            return false;
        }

        schedule = new IntervalSchedule(period) { ImpliedRepeats = repeats };
        return true;
    }

    private static bool TryParseCron(string spec, CronFieldCount allowed, out Schedule? schedule, out string error)
    {
        schedule = null;
        error = "";
        var parts = spec.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 5 && allowed == CronFieldCount.FiveOrSix)
        {
            parts = ["0", .. parts];
        }

        if (parts.Length != 6)
        {
            error = allowed == CronFieldCount.SixOnly
                ? $"expected exactly 6 fields (seconds minutes hours day-of-month month day-of-week), found {parts.Length}: {spec}"
                : $"expected 5 or 6 fields, found {parts.Length}: {spec}";
            return false;
        }

        if (!TryField(parts[0], 0, 59, null, out var seconds, out _, out error) ||
            !TryField(parts[1], 0, 59, null, out var minutes, out _, out error) ||
            !TryField(parts[2], 0, 23, null, out var hours, out _, out error) ||
            !TryField(parts[3], 1, 31, null, out var dom, out var domStar, out error) ||
            !TryField(parts[4], 1, 12, MonthNames, out var months, out _, out error) ||
            !TryField(parts[5], 0, 6, DayNames, out var dow, out var dowStar, out error))
        {
            return false;
        }

        schedule = new CronSchedule(seconds, minutes, hours, dom, months, dow, domStar, dowStar);
        return true;
    }

    private static bool TryField(string field, int min, int max, string[]? names, out ulong bits, out bool star, out string error)
    {
        bits = 0;
        star = false;
        error = "";
        foreach (var range in field.Split(','))
        {
            var stepParts = range.Split('/');
            if (stepParts.Length > 2)
            {
                error = $"too many slashes: {range}";
                return false;
            }

            int start, end;
            var bounds = stepParts[0].Split('-');
            var isStar = bounds is ["*"] or ["?"];
            if (isStar)
            {
                (start, end) = (min, max);
            }
            else if (bounds.Length is 1 or 2 &&
                     TryValue(bounds[0], min, names, out start) &&
                     TryValue(bounds[^1], min, names, out end))
            {
                // "a/step" runs from a to the field's maximum, as in robfig/cron.
                if (bounds.Length == 1 && stepParts.Length == 2)
                {
                    end = max;
                }
            }
            else
            {
                error = $"'{range}' is not a valid cron field value";
                return false;
            }

            var step = 1;
            if (stepParts.Length == 2 &&
                (!int.TryParse(stepParts[1], NumberStyles.None, CultureInfo.InvariantCulture, out step) || step <= 0))
            {
                error = $"'{stepParts[1]}' is not a positive step";
                return false;
            }

            if (start < min || end > max || start > end)
            {
                error = $"'{range}' is beyond the range {min}-{max}";
                return false;
            }

            for (var v = start; v <= end; v += step)
            {
                bits |= 1UL << v;
            }

            star |= isStar && step == 1;
        }

        return true;
    }

    private static bool TryValue(string text, int min, string[]? names, out int value)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }

        var index = names is null ? -1 : Array.IndexOf(names, text.ToLowerInvariant());
        value = index + min;
        return index >= 0;
    }

    [GeneratedRegex(@"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex IsoDuration();
}

/// <summary>Points in time for due_time and ttl: RFC 3339, a Go duration or a non-repeating ISO 8601 duration from creation.</summary>
public static class JobTime
{
    private static readonly string[] Rfc3339Formats = ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"];

    public static bool TryResolve(string text, DateTimeOffset createdAt, out DateTimeOffset at)
    {
        var value = text.Trim();
        if (DateTimeOffset.TryParseExact(value, Rfc3339Formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out at))
        {
            at = at.ToUniversalTime();
            return true;
        }

        if (GoDuration.TryParse(value, out var duration) && duration >= TimeSpan.Zero)
        {
            at = createdAt + duration;
            return true;
        }

        if (ScheduleParser.TryParseIsoPeriod(value, out var period))
        {
            at = period.AddTo(createdAt);
            return true;
        }

        at = default;
        return false;
    }
}
