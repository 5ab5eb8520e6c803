namespace OrderSaga;

public static class OrderSagaExtensions
{
    public static IHostApplicationBuilder AddOrderSaga(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidation();
        builder.Services.AddOptions<OrderSagaOptions>().BindConfiguration(OrderSagaOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        return builder;
    }
}

/// <summary>Settings of the order-saga app (section "OrderSaga").</summary>
public sealed class OrderSagaOptions
{
    public const string Section = "OrderSaga";
}
