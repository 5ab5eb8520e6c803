using System.Security.Cryptography;
using System.Text;

namespace Orders.Domain;

/// <summary>
/// The order id is a function of (customer, idempotency key), so a retried or concurrent duplicate request
/// lands on the same order. It is an RFC 9562 version-8 UUID made of the first 128 bits of a SHA-256 over a
/// length-prefixed encoding (so ("ab","c") and ("a","bc") differ), with the version and variant bits set.
/// </summary>
public static class OrderIds
{
    private const string Domain = "platform.orders.order-id.v1";

    public static string Derive(string customerId, string idempotencyKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(customerId);
        ArgumentException.ThrowIfNullOrEmpty(idempotencyKey);
        var text = $"{Domain}\n{customerId.Length}:{customerId}\n{idempotencyKey.Length}:{idempotencyKey}";
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80); // version 8 (custom)
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // variant RFC 9562
        return new Guid(bytes, bigEndian: true).ToString("D");
    }
}
