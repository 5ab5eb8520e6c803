using System.Text;
using System.Text.RegularExpressions;

namespace Sidecar.State;

/// <summary>SQL LIKE patterns (% any run, _ one character, backslash escapes) for stores without SQL.</summary>
internal static class KeysLike
{
    public static Regex ToRegex(string pattern)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                regex.Append(Regex.Escape(pattern[++i].ToString()));
            }
            else
            {
                regex.Append(c switch
                {
                    '%' => ".*",
                    '_' => ".",
                    _ => Regex.Escape(c.ToString()),
                });
            }
        }

        return new Regex(regex.Append('$').ToString(), RegexOptions.Singleline | RegexOptions.CultureInvariant);
    }

    /// <summary>The Redis SCAN MATCH glob for a LIKE pattern (callers re-check with <see cref="ToRegex"/>).</summary>
    public static string ToRedisGlob(string pattern)
    {
        var glob = new StringBuilder();
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                glob.Append('\\').Append(pattern[++i]);
            }
            else
            {
                glob.Append(c switch
                {
                    '%' => "*",
                    '_' => "?",
                    '*' or '?' or '[' or ']' => "\\" + c,
                    _ => c.ToString(),
                });
            }
        }

        return glob.ToString();
    }
}
