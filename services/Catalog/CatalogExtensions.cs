using System.ComponentModel.DataAnnotations;

namespace Catalog;

public static class CatalogExtensions
{
    public static IHostApplicationBuilder AddCatalog(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidation();
        builder.Services.AddOptions<CatalogOptions>().BindConfiguration(CatalogOptions.Section).ValidateDataAnnotations().ValidateOnStart();
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
}
