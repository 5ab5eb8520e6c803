using Dapr.Client;
using Payments.Domain;

namespace Payments.Credit;

/// <summary>A customer's credit account in payments-store under <c>credit-&lt;customerId&gt;</c>; every change with its event, ETag-checked.</summary>
public sealed class CreditStore(DaprClient dapr)
{
    public static string Key(string customerId) => "credit-" + customerId;

    public async Task<(CreditAccount? Account, string ETag)> GetAsync(string customerId, CancellationToken cancellationToken)
    {
        var (account, etag) = await dapr.GetStateAndETagAsync<CreditAccount?>(DaprNames.StateStore, Key(customerId), cancellationToken: cancellationToken);
        return (account, etag ?? string.Empty);
    }

    /// <param name="etag">The ETag read before, or empty for a new account (then written only if still absent).</param>
    /// <returns>false when the account changed (or was created) since it was read.</returns>
    public Task<bool> TryRecordAsync<TEvent>(CreditAccount account, string etag, TEvent @event, CancellationToken cancellationToken)
        where TEvent : notnull =>
        dapr.TryCommitAsync(Key(account.CustomerId), account, etag, @event, cancellationToken);
}
