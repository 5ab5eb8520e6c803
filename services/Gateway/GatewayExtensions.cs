namespace Gateway;

public static class GatewayExtensions
{
    public static IHostApplicationBuilder AddGateway(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidation();
        builder.Services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        return builder;
    }
}

/// <summary>Settings of the gateway app (section "Gateway").</summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";
}
