using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Orders.Domain;

/// <summary>A requested line: what the customer asked for, before pricing.</summary>
public sealed record RequestedLine(string Sku, int Quantity);

/// <summary>The place-order command, already shape-validated.</summary>
public sealed record PlaceOrder(string CustomerId, IReadOnlyList<RequestedLine> Lines, SagaMode SagaMode)
{
    /// <summary>
    /// The request fingerprint: SHA-256 (lower-case hex) of a canonical text of the command. Line order does
    /// not change the meaning of an order, so lines are sorted by sku; the saga mode is the resolved one, so an
    /// omitted mode and an explicit "Orchestration" are the same request.
    /// </summary>
    public string Fingerprint()
    {
        var builder = new StringBuilder();
        builder.Append("customer=").Append(CustomerId.Length).Append(':').Append(CustomerId).Append('\n');
        builder.Append("saga=").Append(SagaMode.ToString()).Append('\n');
        foreach (var line in Lines.OrderBy(l => l.Sku, StringComparer.Ordinal))
        {
            builder.Append("line=").Append(line.Sku.Length).Append(':').Append(line.Sku)
                .Append('*').Append(line.Quantity.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(builder.ToString())));
    }

    /// <summary>
    /// Rules the request's shape cannot express: at least one and at most <paramref name="maxLines"/> lines,
    /// quantities from 1 to <paramref name="maxQuantity"/>, and each sku at most once (a repeated sku is refused, not merged: it usually means a client bug, and merging
    /// would make two different bodies share a fingerprint).
    /// </summary>
    public IReadOnlyDictionary<string, string[]> Validate(int maxLines, int maxQuantity)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (Lines.Count == 0)
        {
            errors["lines"] = ["An order needs at least one line."];
        }
        else if (Lines.Count > maxLines)
        {
            errors["lines"] = [$"An order has at most {maxLines} lines; this one has {Lines.Count}."];
        }

        var badQuantities = Lines.Where(l => l.Quantity < 1 || l.Quantity > maxQuantity).Select(l => l.Sku).ToArray();
        if (badQuantities.Length > 0)
        {
            errors["lines.quantity"] = [$"A quantity is from 1 to {maxQuantity}; not so for: {string.Join(", ", badQuantities)}."];
        }

        var duplicates = Lines.GroupBy(l => l.Sku, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToArray();
        if (duplicates.Length > 0)
        {
            errors["lines.sku"] = [$"Each sku may appear once per order; repeated: {string.Join(", ", duplicates)}."];
        }

        return errors;
    }
}
