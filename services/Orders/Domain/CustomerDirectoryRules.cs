using System.Security.Cryptography;
using System.Text;

namespace Orders.Domain;

/// <summary>A position in the customer directory: the shard and the last customer id returned from it.</summary>
public sealed record DirectoryCursor(int Shard, string AfterCustomerId);

/// <summary>One page of the walk over every customer, and where the next page starts (null = the walk is done).</summary>
public sealed record DirectoryPage(IReadOnlyList<string> CustomerIds, DirectoryCursor? Next);

/// <summary>
/// The pure rules of the customer directory (the enumeration of every customer that has placed an order, for
/// rebuilds and reconciliation): a fixed number of shards chosen by a stable hash of the customer id, each a
/// sorted set of ids. Walking the shards in order and each shard in ordinal order gives a stable paging: an id
/// added while a walk runs appears at most once, and every id present when the walk started appears exactly once.
/// </summary>
public static class CustomerDirectoryRules
{
    /// <summary>Fixed for the life of the data: changing it moves customers between shards (re-shard offline).</summary>
    public const int ShardCount = 32;

    /// <summary>The shard of a customer: SHA-256, not string.GetHashCode (randomised per process).</summary>
    public static int ShardOf(string customerId)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(customerId), hash);
        return (int)(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(hash) % ShardCount);
    }

    /// <summary>The shard's ids with <paramref name="customerId"/> added in ordinal order; null when it is already there.</summary>
    public static IReadOnlyList<string>? Add(IReadOnlyList<string> sortedIds, string customerId)
    {
        var list = sortedIds as List<string> ?? [.. sortedIds];
        var at = list.BinarySearch(customerId, StringComparer.Ordinal);
        if (at >= 0)
        {
            return null;
        }

        var next = new List<string>(list);
        next.Insert(~at, customerId);
        return next;
    }

    /// <summary>
    /// Takes up to <paramref name="pageSize"/> ids from the shards read so far (<paramref name="shards"/>, shard
    /// number → sorted ids, starting at the cursor's shard and consecutive). <paramref name="readAll"/> says
    /// whether the last shard read is the directory's last shard.
    /// </summary>
    public static DirectoryPage Page(IReadOnlyList<(int Shard, IReadOnlyList<string> Ids)> shards, DirectoryCursor? after, int pageSize, bool readAll)
    {
        var items = new List<string>(pageSize);
        foreach (var (shard, ids) in shards)
        {
            var start = after is not null && after.Shard == shard ? FirstAfter(ids, after.AfterCustomerId) : 0;
            for (var i = start; i < ids.Count; i++)
            {
                if (items.Count == pageSize)
                {
                    return new DirectoryPage(items, new DirectoryCursor(shard, items[^1]));
                }

                items.Add(ids[i]);
            }

            if (items.Count == pageSize)
            {
                // Full at a shard's end: continue after it (the next page may be empty when nothing follows).
                return new DirectoryPage(items, shard + 1 < ShardCount ? new DirectoryCursor(shard + 1, "") : null);
            }
        }

        return new DirectoryPage(items, readAll || shards.Count == 0 ? null : new DirectoryCursor(shards[^1].Shard + 1, ""));
    }

    private static int FirstAfter(IReadOnlyList<string> ids, string afterId)
    {
        var list = ids as List<string> ?? [.. ids];
        var at = list.BinarySearch(afterId, StringComparer.Ordinal);
        return at >= 0 ? at + 1 : ~at;
    }
}
