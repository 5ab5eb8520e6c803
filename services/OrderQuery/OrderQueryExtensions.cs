namespace OrderQuery;

public static class OrderQueryExtensions
{
    public static IHostApplicationBuilder AddOrderQuery(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidation();
        builder.Services.AddOptions<OrderQueryOptions>().BindConfiguration(OrderQueryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        return builder;
    }
}

/// <summary>Settings of the order-query app (section "OrderQuery").</summary>
public sealed class OrderQueryOptions
{
    public const string Section = "OrderQuery";
}
