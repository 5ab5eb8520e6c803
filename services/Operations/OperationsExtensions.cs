using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Operations.DeadLetters;

namespace Operations;

public static class OperationsExtensions
{
    public static IHostApplicationBuilder AddOperations(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<OperationsOptions>().BindConfiguration(OperationsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<DeadLetterStore>();
        return builder;
    }
}

/// <summary>Settings of the operations service (section "Operations").</summary>
public sealed class OperationsOptions
{
    public const string Section = "Operations";

    /// <summary>How often a write re-reads and retries after losing an ETag race before giving up (the delivery is then retried).</summary>
    [Range(1, 100)]
    public int MaxWriteAttempts { get; set; } = 30;

    /// <summary>The largest page the list endpoint returns.</summary>
    [Range(1, 500)]
    public int MaxPageSize { get; set; } = 100;
}
