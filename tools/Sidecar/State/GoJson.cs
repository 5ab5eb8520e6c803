using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Sidecar.State;

/// <summary>
/// Re-encodes JSON the way daprd hands a parsed value to a component: Go's json.Unmarshal into interface{}
/// then json.Marshal. Keys sorted, compact, numbers through float64, HTML characters escaped. This is what
/// lands in the store for SaveState items with contentType application/json.
/// </summary>
internal static class GoJson
{
    /// <exception cref="JsonException">The bytes are not one JSON value.</exception>
    public static byte[] Canonicalize(ReadOnlyMemory<byte> json)
    {
        // Go nests up to 10000 levels; 1000 keeps the recursive writer well inside a thread-pool stack.
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 1000 });
        var builder = new StringBuilder();
        Write(builder, document.RootElement);
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    private static void Write(StringBuilder builder, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                builder.Append('{');
                var first = true;
                // Go decodes into a map (last duplicate wins) and marshals keys in byte order.
                var properties = new SortedDictionary<string, JsonElement>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    properties[property.Name] = property.Value;
                }

                foreach (var (name, value) in properties)
                {
                    if (!first)
                    {
                        builder.Append(',');
                    }

                    first = false;
                    WriteString(builder, name);
                    builder.Append(':');
                    Write(builder, value);
                }

                builder.Append('}');
                break;
            case JsonValueKind.Array:
                builder.Append('[');
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (index++ > 0)
                    {
                        builder.Append(',');
                    }

                    Write(builder, item);
                }

                builder.Append(']');
                break;
            case JsonValueKind.String:
                WriteString(builder, element.GetString()!);
                break;
            case JsonValueKind.Number:
                builder.Append(FormatFloat(element.GetDouble()));
                break;
            case JsonValueKind.True:
                builder.Append("true");
                break;
            case JsonValueKind.False:
                builder.Append("false");
                break;
            default:
                builder.Append("null");
                break;
        }
    }

    private static void WriteString(StringBuilder builder, string text)
    {
        builder.Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                case '<' or '>' or '&' or '\u2028' or '\u2029' or < ' ':
                    builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default: builder.Append(c); break;
            }
        }

        builder.Append('"');
    }

    /// <summary>Go's encoding/json float64 format: shortest round-trip digits, exponent form only below 1e-6 or from 1e21.</summary>
    internal static string FormatFloat(double value)
    {
        if (value == 0)
        {
            return double.IsNegative(value) ? "-0" : "0";
        }

        var (digits, integerDigits) = Decompose(value);
        var abs = Math.Abs(value);
        return abs < 1e-6 || abs >= 1e21
            ? Exponent(value, digits, integerDigits - 1, trimNegativeExponent: true)
            : Fixed(value, digits, integerDigits);
    }

    /// <summary>Go's fmt "%v" of a float64 (strconv 'g', shortest): exponent form when the exponent is below -4 or from 6.</summary>
    internal static string FormatShortestG(double value)
    {
        if (value == 0)
        {
            return double.IsNegative(value) ? "-0" : "0";
        }

        var (digits, integerDigits) = Decompose(value);
        var exponent = integerDigits - 1;
        return exponent < -4 || exponent >= 6
            ? Exponent(value, digits, exponent, trimNegativeExponent: false)
            : Fixed(value, digits, integerDigits);
    }

    /// <summary>The shortest round-trip significant digits and how many of them precede the decimal point.</summary>
    private static (string Digits, int IntegerDigits) Decompose(double value)
    {
        var roundTrip = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        var exponentAt = roundTrip.IndexOfAny(['E', 'e']);
        var mantissa = exponentAt < 0 ? roundTrip : roundTrip[..exponentAt];
        var exponent = exponentAt < 0 ? 0 : int.Parse(roundTrip[(exponentAt + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var point = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = point < 0 ? mantissa : mantissa.Remove(point, 1);
        var integerDigits = (point < 0 ? mantissa.Length : point) + exponent;
        var trimmed = digits.TrimStart('0');
        integerDigits -= digits.Length - trimmed.Length;
        return (trimmed.TrimEnd('0'), integerDigits);
    }

    private static string Exponent(double value, string digits, int exponent, bool trimNegativeExponent)
    {
        var sign = value < 0 ? "-" : "";
        var body = digits.Length == 1 ? digits : $"{digits[0]}.{digits[1..]}";
        // Go prints at least two exponent digits; encoding/json then drops the zero of e-0X.
        var magnitude = Math.Abs(exponent).ToString(exponent < 0 && trimNegativeExponent ? "0" : "00", CultureInfo.InvariantCulture);
        return $"{sign}{body}e{(exponent < 0 ? '-' : '+')}{magnitude}";
    }

    private static string Fixed(double value, string digits, int integerDigits)
    {
        var sign = value < 0 ? "-" : "";
        if (integerDigits <= 0)
        {
            return $"{sign}0.{new string('0', -integerDigits)}{digits}";
        }

        if (integerDigits >= digits.Length)
        {
            return $"{sign}{digits}{new string('0', integerDigits - digits.Length)}";
        }

        return $"{sign}{digits[..integerDigits]}.{digits[integerDigits..]}";
    }
}
