using System.ComponentModel.DataAnnotations;
using Dapr.Client;
using Microsoft.Extensions.Options;
using OrderQuery.Projections;
using OrderQuery.Rebuild;
using OrderQuery.Storage;

namespace OrderQuery;

public static class OrderQueryExtensions
{
    /// <summary>Set by the local runner (libpq key=value form) when <c>OrderQuery:ConnectionString</c> is not.</summary>
    public const string RunnerConnectionVariable = "PLATFORM_POSTGRES_ORDERQUERY_CONNECTION";

    public static IHostApplicationBuilder AddOrderQuery(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidation();
        builder.Services.AddOptions<OrderQueryOptions>().BindConfiguration(OrderQueryOptions.Section)
            .PostConfigure<IConfiguration>((options, configuration) =>
                options.ConnectionString = string.IsNullOrWhiteSpace(options.ConnectionString) ? configuration[RunnerConnectionVariable] : options.ConnectionString)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<OrderQueryOptions>, ConnectionStringValidation>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ViewDatabase>();
        builder.Services.AddSingleton<EventProjector>();
        // Service invocation through a plain HttpClient and Dapr's InvocationHandler (http://<app id>/… → the sidecar);
        // retries and timeouts for this hop live in components/resiliency.yaml, not here.
        builder.Services.AddHttpClient<Rebuilder>()
            .AddHttpMessageHandler(() => new InvocationHandler
            {
                DaprEndpoint = builder.Configuration["DAPR_HTTP_ENDPOINT"] ?? "http://127.0.0.1:3500",
            });
        // Runs before the server accepts requests, so no event is handled before the schema exists.
        builder.Services.AddHostedService<MigrationService>();
        return builder;
    }
}

/// <summary>Settings of the order-query app (section "OrderQuery").</summary>
public sealed class OrderQueryOptions
{
    public const string Section = "OrderQuery";

    /// <summary>The read side's own PostgreSQL database, in Npgsql or libpq (<c>host=… port=… user=… database=…</c>) form.</summary>
    [Required]
    public string? ConnectionString { get; set; }

    /// <summary>The schema holding the views (a rebuild may target another one).</summary>
    [Required, RegularExpression(ViewDatabase.SchemaPattern)]
    public string Schema { get; set; } = "orderquery";

    [Range(1, 500)]
    public int DefaultPageSize { get; set; } = 20;

    [Range(1, 500)]
    public int MaxPageSize { get; set; } = 100;

    /// <summary>How many recent updates the staleness figures cover by default.</summary>
    [Range(1, 100_000)]
    public int StalenessWindow { get; set; } = 1000;

    /// <summary>The page size the rebuild asks the source services for.</summary>
    [Range(1, 100)]
    public int RebuildPageSize { get; set; } = 100;
}

/// <summary>The connection string must parse and name a host and a database (checked at start-up).</summary>
internal sealed class ConnectionStringValidation : IValidateOptions<OrderQueryOptions>
{
    public ValidateOptionsResult Validate(string? name, OrderQueryOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return ValidateOptionsResult.Fail($"OrderQuery:ConnectionString is required (or set {OrderQueryExtensions.RunnerConnectionVariable}).");
        }

        return ConnectionStrings.TryToNpgsql(options.ConnectionString, out _, out var error)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"OrderQuery:ConnectionString is not usable: {error}");
    }
}
