using System.ComponentModel.DataAnnotations;
using Payments.Domain;

namespace Payments.Gateway;

/// <summary>The simulated payment gateway's rules (section "Payments:Gateway"), so tests can force declines and slowness.</summary>
public sealed class GatewayOptions : IValidatableObject
{
    public const string Section = "Payments:Gateway";

    /// <summary>Charges above this amount (in any currency) are declined; none when unset.</summary>
    [Range(typeof(decimal), "0", "1000000000000")]
    public decimal? DeclineAmountAbove { get; set; }

    /// <summary>Customers whose charges are always declined.</summary>
    public List<string> DeclinedCustomers { get; set; } = [];

    /// <summary>Customers for whom the gateway waits <see cref="SlowResponse"/> before answering.</summary>
    public List<string> SlowCustomers { get; set; } = [];

    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan SlowResponse { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// A file where the simulated provider keeps its ledger (its "own database"), so a charge survives a crash of
    /// the payments process as it would at a real provider. Unset: in memory, gone with the process.
    /// </summary>
    public string? LedgerFile { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (DeclinedCustomers.Concat(SlowCustomers).Any(customer => !Identifiers.IsValid(customer)))
        {
            yield return new ValidationResult("Customer ids must match " + Identifiers.Pattern, [nameof(DeclinedCustomers), nameof(SlowCustomers)]);
        }

        if (SlowCustomers.Count > 0 && SlowResponse == TimeSpan.Zero)
        {
            yield return new ValidationResult("SlowCustomers need a SlowResponse greater than zero.", [nameof(SlowResponse)]);
        }
    }

    public GatewayPolicy ToPolicy() => new(
        DeclineAmountAbove,
        DeclinedCustomers.ToHashSet(StringComparer.Ordinal),
        SlowCustomers.ToHashSet(StringComparer.Ordinal),
        SlowResponse);
}
