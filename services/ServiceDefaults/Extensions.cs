using System.Diagnostics;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace ServiceDefaults;

/// <summary>
/// What every service sets up the same way: the Dapr client, health endpoints (liveness, and readiness that
/// includes the sidecar), RFC 9457 problem details for every error, OpenAPI, request-size limits and telemetry.
/// </summary>
public static class Extensions
{
    /// <summary>Requests larger than this are refused with 413 before any handler runs.</summary>
    public const long MaxRequestBodyBytes = 64 * 1024;

    private const string LiveTag = "live";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        // DAPR_GRPC_ENDPOINT / DAPR_HTTP_ENDPOINT / DAPR_API_TOKEN come from configuration or the environment (daprd's contract).
        builder.Services.AddDaprClient();
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag])
            .AddCheck<DaprSidecarHealthCheck>("dapr-sidecar");

        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
            context.ProblemDetails.Extensions["traceId"] = Activity.Current?.Id ?? context.HttpContext.TraceIdentifier);
        builder.Services.AddExceptionHandler<ProblemDetailsExceptionHandler>();
        builder.Services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
            // A JSON null where the record says non-nullable is bad input (400), not a null reference later.
            options.SerializerOptions.RespectNullableAnnotations = true;
            options.SerializerOptions.RespectRequiredConstructorParameters = true;
        });
        builder.Services.Configure<KestrelServerOptions>(options => options.Limits.MaxRequestBodySize = MaxRequestBodyBytes);
        builder.Services.AddOpenApi();

        builder.AddTelemetry();
        return builder;
    }

    /// <summary>Problem details for errors that carry no body (404 of an unknown route, 413, 415…).</summary>
    public static WebApplication UseServiceDefaults(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }

    /// <summary><c>/alive</c> (the process answers) and <c>/health</c> (ready: the sidecar answers too), and the OpenAPI document.</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/health");
        app.MapHealthChecks("/alive", new HealthCheckOptions { Predicate = check => check.Tags.Contains(LiveTag) });
        app.MapOpenApi();
        return app;
    }

    private static void AddTelemetry(this IHostApplicationBuilder builder)
    {
        var exported = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var telemetry = builder.Services.AddOpenTelemetry()
            .WithTracing(tracing =>
            {
                tracing
                    .AddSource(builder.Environment.ApplicationName)
                    .AddAspNetCoreInstrumentation(options => options.Filter = context => !IsHealthRequest(context))
                    .AddHttpClientInstrumentation();
                if (!exported)
                {
                    // Nobody reads the spans: activities keep only their trace context, which still flows to the sidecar
                    // (and into outbox events: OrdersServiceTests.PlaceOrder_CallerSendsTraceparent_…).
                    tracing.SetSampler(new AlwaysOffSampler());
                }
            });
        // Exported only when a collector is configured, as in eShop's service defaults; without one, metrics would be
        // aggregated for nobody.
        if (exported)
        {
            telemetry.WithMetrics(metrics => metrics.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation());
            telemetry.UseOtlpExporter();
        }
    }

    private static bool IsHealthRequest(HttpContext context) =>
        context.Request.Path.StartsWithSegments("/health") || context.Request.Path.StartsWithSegments("/alive");
}
