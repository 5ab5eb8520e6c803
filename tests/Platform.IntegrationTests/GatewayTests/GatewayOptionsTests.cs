using Gateway;
using Platform.IntegrationTests.Infrastructure;

namespace Platform.IntegrationTests.GatewayTests;

/// <summary>Timeouts per dependency and the cache TTL are checked when the gateway starts, not at its first request.</summary>
public sealed class GatewayOptionsTests
{
    [Fact]
    public void Validate_Defaults_Succeed()
    {
        Assert.True(new GatewayOptionsValidator().Validate(null, new GatewayOptions()).Succeeded);
    }

    [Theory]
    [InlineData("Payments", "AttemptTimeout", "00:00:05", "TotalTimeout")]
    [InlineData("Inventory", "BreakerSamplingDuration", "00:00:01", "BreakerSamplingDuration")]
    [InlineData("Orders", "MaxRetryAttempts", "0", "MaxRetryAttempts")]
    [InlineData(null, "ProductCacheTtl", "00:00:00", "ProductCacheTtl")]
    public void Validate_InconsistentBudget_FailsNamingTheSetting(string? dependency, string setting, string value, string named)
    {
        var options = new GatewayOptions();
        object target = dependency is null ? options : typeof(GatewayOptions).GetProperty(dependency)!.GetValue(options)!;
        var property = target.GetType().GetProperty(setting)!;
        property.SetValue(target, property.PropertyType == typeof(int) ? int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture));

        var result = new GatewayOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(named, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_AttemptTimeoutLongerThanTotal_Refused()
    {
        var output = await RefusedStart.OutputAsync<GatewayOptions>(new Dictionary<string, string> { ["Gateway:Catalog:AttemptTimeout"] = "00:00:09", ["Gateway:Catalog:TotalTimeout"] = "00:00:03" });

        Assert.Contains("TotalTimeout", output, StringComparison.Ordinal);
    }
}
