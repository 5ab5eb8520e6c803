using System.ComponentModel.DataAnnotations;
using Payments.Contracts;
using Payments.Domain;

namespace Payments.Credit;

public sealed record AwardCreditRequest(
    [property: Required, RegularExpression(Identifiers.Pattern)] string OrderId,
    [property: Range(1, 1_000_000)] int Points);

public sealed record RevokeCreditRequest(
    [property: Required, RegularExpression(Identifiers.Pattern)] string OrderId);

/// <summary>The outcome of an award or revocation for one order, with the balance after it.</summary>
public sealed record CreditOperationResponse(string CustomerId, string OrderId, int Points, CreditEntryStatus Status, long Balance, long Version);

public sealed record CreditOrderResponse(string OrderId, int Points, CreditEntryStatus Status, DateTimeOffset UpdatedAt);

public sealed record CreditAccountResponse(string CustomerId, long Balance, long Version, IReadOnlyList<CreditOrderResponse> Orders);

internal static class CreditMappings
{
    public static CreditAccountResponse ToResponse(this CreditAccount account) => new(
        account.CustomerId,
        account.Balance,
        account.Version,
        [.. account.Orders.OrderBy(pair => pair.Value.UpdatedAt).Select(pair => new CreditOrderResponse(pair.Key, pair.Value.Points, pair.Value.Status, pair.Value.UpdatedAt))]);

    public static CreditOperationResponse ToResponse(this CreditAccount account, string orderId, CreditEntry entry) =>
        new(account.CustomerId, orderId, entry.Points, entry.Status, account.Balance, account.Version);

    public static CreditAwarded ToAwarded(this CreditDecision.Applied applied, DateTimeOffset now) => new(
        EventId(applied.Account), applied.Account.CustomerId, applied.OrderId, applied.Points, applied.Account.Balance, applied.Account.Version, now);

    public static CreditRevoked ToRevoked(this CreditDecision.Applied applied, DateTimeOffset now) => new(
        EventId(applied.Account), applied.Account.CustomerId, applied.OrderId, applied.Points, applied.Account.Balance, applied.Account.Version, now);

    private static string EventId(CreditAccount account) => $"credit:{account.CustomerId}:{account.Version}";
}
