using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Payments.Domain;

/// <summary>
/// Order and customer ids come from other services; they become parts of state keys, so they are limited to a
/// safe alphabet (no "||", which Dapr forbids in keys) and a bounded length.
/// </summary>
public static partial class Identifiers
{
    public const string Pattern = "^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$";

    public static bool IsValid(string? id) => id is not null && IdRegex().IsMatch(id);

    /// <summary>The payment id of an order: deterministic, so every replica and every retry agrees on it.</summary>
    public static string PaymentIdFor(string orderId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("payment:" + orderId));
        return new Guid(hash.AsSpan(0, 16)).ToString();
    }

    [GeneratedRegex(Pattern, RegexOptions.CultureInvariant)]
    private static partial Regex IdRegex();
}
