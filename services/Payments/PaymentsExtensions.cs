using System.ComponentModel.DataAnnotations;

namespace Payments;

public static class PaymentsExtensions
{
    public static IHostApplicationBuilder AddPayments(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidation();
        builder.Services.AddOptions<PaymentsOptions>().BindConfiguration(PaymentsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        return builder;
    }
}

/// <summary>Settings of the payments service (section "Payments").</summary>
public sealed class PaymentsOptions
{
    public const string Section = "Payments";

    /// <summary>The largest page a list endpoint returns.</summary>
    [Range(1, 500)]
    public int MaxPageSize { get; set; } = 100;
}
