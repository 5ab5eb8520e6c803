using System.ComponentModel.DataAnnotations;
using Gateway.Composition;
using Gateway.Dependencies;
using Microsoft.Extensions.Options;

namespace Gateway;

public static class GatewayExtensions
{
    public static IHostApplicationBuilder AddGateway(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidation();
        builder.Services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<GatewayOptions>, GatewayOptionsValidator>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddDependencyClients();
        builder.Services.AddSingleton<ProductCache>();
        builder.Services.AddTransient<OrderComposer>();
        return builder;
    }
}

/// <summary>Settings of the gateway app (section "Gateway"): one resilience budget per dependency and the catalog cache.</summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>How long a product read from catalog is served from <c>gateway-cache</c> before catalog is asked again.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ProductCacheTtl { get; set; } = TimeSpan.FromSeconds(60);

    [Required, ValidateObjectMembers]
    public DependencyOptions Orders { get; set; } = new();

    [Required, ValidateObjectMembers]
    public DependencyOptions Catalog { get; set; } = new();

    [Required, ValidateObjectMembers]
    public DependencyOptions Payments { get; set; } = new();

    [Required, ValidateObjectMembers]
    public DependencyOptions Inventory { get; set; } = new();

    [Required, ValidateObjectMembers]
    public DependencyOptions OrderQuery { get; set; } = new();

    internal DependencyOptions For(string appId) => appId switch
    {
        DaprNames.OrdersAppId => Orders,
        DaprNames.CatalogAppId => Catalog,
        DaprNames.PaymentsAppId => Payments,
        DaprNames.InventoryAppId => Inventory,
        DaprNames.OrderQueryAppId => OrderQuery,
        _ => throw new ArgumentOutOfRangeException(nameof(appId), appId, "not a dependency of the gateway"),
    };
}

/// <summary>
/// The resilience budget of one dependency (section "Gateway:&lt;Dependency&gt;"). Retries apply to GETs only; the
/// breaker opens when <see cref="BreakerFailureRatio"/> of at least <see cref="BreakerMinimumThroughput"/> attempts
/// within <see cref="BreakerSamplingDuration"/> failed, and stays open for <see cref="BreakerBreakDuration"/>.
/// </summary>
public sealed class DependencyOptions : IValidatableObject
{
    /// <summary>One attempt (one invocation through the sidecar).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>All attempts of one call together, retry waits included.</summary>
    [Range(typeof(TimeSpan), "00:00:00.020", "00:05:00")]
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(5);

    [Range(1, 10)]
    public int MaxRetryAttempts { get; set; } = 2;

    [Range(typeof(TimeSpan), "00:00:00", "00:00:10")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    [Range(0.01, 1.0)]
    public double BreakerFailureRatio { get; set; } = 0.5;

    [Range(2, 1000)]
    public int BreakerMinimumThroughput { get; set; } = 10;

    [Range(typeof(TimeSpan), "00:00:00.500", "01:00:00")]
    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    [Range(typeof(TimeSpan), "00:00:00.500", "01:00:00")]
    public TimeSpan BreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(15);

    // The rules Microsoft.Extensions.Http.Resilience checks only when it builds the pipeline (first request): checked at start instead.
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (TotalTimeout <= AttemptTimeout)
        {
            yield return new ValidationResult("TotalTimeout must be longer than AttemptTimeout.", [nameof(TotalTimeout), nameof(AttemptTimeout)]);
        }

        if (BreakerSamplingDuration < 2 * AttemptTimeout)
        {
            yield return new ValidationResult("BreakerSamplingDuration must be at least twice AttemptTimeout.", [nameof(BreakerSamplingDuration)]);
        }
    }
}

[OptionsValidator]
internal sealed partial class GatewayOptionsValidator : IValidateOptions<GatewayOptions>;
