using System.ComponentModel.DataAnnotations;

namespace Orders;

public static class OrdersExtensions
{
    public static IHostApplicationBuilder AddOrders(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidation();
        builder.Services.AddOptions<OrdersOptions>().BindConfiguration(OrdersOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        return builder;
    }
}

/// <summary>Settings of the orders service (section "Orders").</summary>
public sealed class OrdersOptions
{
    public const string Section = "Orders";

    /// <summary>The largest page a list endpoint returns.</summary>
    [Range(1, 500)]
    public int MaxPageSize { get; set; } = 100;
}
