using System.ComponentModel.DataAnnotations;
using Payments.Gateway;

namespace Payments.UnitTests;

public sealed class OptionsValidationTests
{
    private static List<ValidationResult> Validate(object options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }

    [Fact]
    public void GatewayOptions_Defaults_Valid() => Assert.Empty(Validate(new GatewayOptions()));

    [Fact]
    public void GatewayOptions_NegativeAmountLimit_Invalid() => Assert.NotEmpty(Validate(new GatewayOptions { DeclineAmountAbove = -1m }));

    [Fact]
    public void GatewayOptions_SlowCustomersWithoutDelay_Invalid() => Assert.NotEmpty(Validate(new GatewayOptions { SlowCustomers = ["c1"] }));

    [Fact]
    public void GatewayOptions_UnsafeCustomerId_Invalid() => Assert.NotEmpty(Validate(new GatewayOptions { DeclinedCustomers = ["a||b"] }));

    [Fact]
    public void PaymentsOptions_ZeroAttempts_Invalid() => Assert.NotEmpty(Validate(new PaymentsOptions { MaxConcurrencyAttempts = 0 }));

    [Fact]
    public void PaymentsOptions_Defaults_Valid() => Assert.Empty(Validate(new PaymentsOptions()));

    [Fact]
    public void PaymentsOptions_ZeroChargeTimeout_Invalid() => Assert.NotEmpty(Validate(new PaymentsOptions { ChargeTimeout = TimeSpan.Zero }));

    [Fact]
    public void PaymentsOptions_SubSecondCheckInterval_Invalid() =>
        Assert.NotEmpty(Validate(new PaymentsOptions { LateOutcomeCheckInterval = TimeSpan.FromMilliseconds(500) }));
}
