using System.Text;
using System.Text.RegularExpressions;

namespace Sidecar.State;

/// <summary>SQL LIKE patterns (% any run, _ one character, backslash escapes) for the stores that are not SQL.</summary>
internal static class LikePattern
{
    public static Regex ToRegex(string pattern)
    {
        var regex = new StringBuilder("^");
        Translate(pattern, any: ".*", one: ".", literal: c => regex.Append(Regex.Escape(c.ToString())), regex);
        return new Regex(regex.Append('$').ToString(), RegexOptions.Singleline | RegexOptions.CultureInvariant);
    }

    /// <summary>A Redis SCAN MATCH glob selecting the same keys.</summary>
    public static string ToGlob(string pattern)
    {
        var glob = new StringBuilder();
        Translate(pattern, any: "*", one: "?", literal: c =>
        {
            if (c is '*' or '?' or '[' or ']' or '\\')
            {
                glob.Append('\\');
            }

            glob.Append(c);
        }, glob);
        return glob.ToString();
    }

    private static void Translate(string pattern, string any, string one, Action<char> literal, StringBuilder output)
    {
        for (var i = 0; i < pattern.Length; i++)
        {
            switch (pattern[i])
            {
                case '\\' when i + 1 < pattern.Length:
                    literal(pattern[++i]);
                    break;
                case '%':
                    output.Append(any);
                    break;
                case '_':
                    output.Append(one);
                    break;
                default:
                    literal(pattern[i]);
                    break;
            }
        }
    }
}
