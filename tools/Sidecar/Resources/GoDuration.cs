using System.Globalization;
using System.Text.RegularExpressions;

namespace Sidecar.Resources;

/// <summary>Parses Go duration strings ("1h2m3.5s", "500ms", "-1s") as Dapr resources use them.</summary>
public static partial class GoDuration
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        text = text.Trim();
        if (text is "0")
        {
            return true;
        }

        var negative = text.StartsWith('-');
        var body = negative || text.StartsWith('+') ? text[1..] : text;
        var matches = Part().Matches(body);
        if (matches.Count == 0 || string.Concat(matches.Select(m => m.Value)) != body)
        {
            return false;
        }

        double ticks = 0;
        foreach (Match match in matches)
        {
            var number = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            ticks += match.Groups[2].Value switch
            {
                "ns" => number / 100,
                "us" or "µs" => number * 10,
                "ms" => number * TimeSpan.TicksPerMillisecond,
                "s" => number * TimeSpan.TicksPerSecond,
                "m" => number * TimeSpan.TicksPerMinute,
                "h" => number * TimeSpan.TicksPerHour,
                _ => double.NaN,
            };
        }

        value = TimeSpan.FromTicks((long)(negative ? -ticks : ticks));
        return true;
    }

    public static TimeSpan Parse(string text, string file, string field) =>
        TryParse(text, out var value)
            ? value
            : throw new ResourceException(file, field, $"'{text}' is not a duration (e.g. 500ms, 5s, 1m)");

    [GeneratedRegex(@"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")]
    private static partial Regex Part();
}
