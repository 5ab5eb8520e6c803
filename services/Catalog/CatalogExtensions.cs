using System.ComponentModel.DataAnnotations;
using Catalog.Products;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Catalog;

public static class CatalogExtensions
{
    public static IHostApplicationBuilder AddCatalog(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidation();
        builder.Services.AddOptions<CatalogOptions>().BindConfiguration(CatalogOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ProductWriteGate>();
        builder.Services.AddSingleton<ProductStore>();
        return builder;
    }
}

/// <summary>Settings of the catalog service (section "Catalog").</summary>
public sealed class CatalogOptions
{
    public const string Section = "Catalog";

    /// <summary>The largest page a list endpoint returns.</summary>
    [Range(1, 500)]
    public int MaxPageSize { get; set; } = 100;

    /// <summary>How often a write without If-Match re-reads and retries after losing an ETag race before answering 409.</summary>
    [Range(1, 100)]
    public int MaxWriteAttempts { get; set; } = 30;

    /// <summary>How many store pages one list request reads at most when a price filter thins them out.</summary>
    [Range(1, 100)]
    public int MaxQueryPagesPerRequest { get; set; } = 10;
}
