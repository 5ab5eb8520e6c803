using System.ComponentModel.DataAnnotations;

namespace Inventory;

public static class InventoryExtensions
{
    public static IHostApplicationBuilder AddInventory(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidation();
        builder.Services.AddOptions<InventoryOptions>().BindConfiguration(InventoryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        return builder;
    }
}

/// <summary>Settings of the inventory service (section "Inventory").</summary>
public sealed class InventoryOptions
{
    public const string Section = "Inventory";

    /// <summary>The largest page a list endpoint returns.</summary>
    [Range(1, 500)]
    public int MaxPageSize { get; set; } = 100;
}
