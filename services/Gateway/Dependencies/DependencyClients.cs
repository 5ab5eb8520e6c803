using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dapr;
using Dapr.Client;
using Gateway.Composition;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Gateway.Dependencies;

/// <summary>What one read of a dependency gave: the value, "there is none" (404), or why there is no answer.</summary>
internal abstract record Fetch<T>
{
    public sealed record Found(T Value) : Fetch<T>;

    public sealed record Absent : Fetch<T>;

    public sealed record Failed(string Reason) : Fetch<T>;
}

/// <summary>Why a dependency gave no usable answer, as the partial response names it.</summary>
internal static class FailureReasons
{
    public const string Timeout = "timeout";
    public const string CircuitOpen = "circuit-open";
    public const string Unreachable = "unreachable";
    public const string InvalidResponse = "invalid-response";

    public static string Status(HttpStatusCode status) => $"status-{(int)status}";
}

/// <summary>
/// One dependency reached by Dapr service invocation: <c>http://&lt;app-id&gt;/path</c> goes through Dapr's
/// <see cref="InvocationHandler"/> to the sidecar, inside the dependency's resilience pipeline (CONVENTIONS 19).
/// </summary>
internal abstract class DependencyClient(HttpClient http, ILogger logger)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    protected HttpClient Http => http;

    protected string AppId => http.BaseAddress!.Host;

    /// <summary>GET <paramref name="path"/>: 2xx → the body as <typeparamref name="T"/>, 404 → absent, anything else → a failure reason.</summary>
    protected async Task<Fetch<T>> GetAsync<T>(string path, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(path, cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return new Fetch<T>.Absent();
            }

            if (!response.IsSuccessStatusCode)
            {
                return Failed<T>(path, FailureReasons.Status(response.StatusCode));
            }

            return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken) is { } value
                ? new Fetch<T>.Found(value)
                : Failed<T>(path, FailureReasons.InvalidResponse);
        }
        catch (Exception ex) when (Reason(ex, cancellationToken) is { } reason)
        {
            return Failed<T>(path, reason);
        }
    }

    /// <summary>Sends <paramref name="request"/> and keeps the answer as it is, or gives the failure reason.</summary>
    protected async Task<(ForwardedResult? Answer, string? Failure)> ForwardAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri?.ToString() ?? "";
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            // A 5xx is the dependency failing (or its sidecar: daprd answers 500 when it cannot reach the app), not an answer to relay.
            if ((int)response.StatusCode >= 500)
            {
                var reason = FailureReasons.Status(response.StatusCode);
                logger.DependencyFailed(AppId, path, reason);
                return (null, reason);
            }

            return (await ForwardedResult.FromAsync(response, cancellationToken), null);
        }
        catch (Exception ex) when (Reason(ex, cancellationToken) is { } reason)
        {
            logger.DependencyFailed(AppId, path, reason);
            return (null, reason);
        }
    }

    private Fetch<T> Failed<T>(string path, string reason)
    {
        logger.DependencyFailed(AppId, path, reason);
        return new Fetch<T>.Failed(reason);
    }

    // The caller giving up is not a dependency failure: that cancellation propagates.
    private static string? Reason(Exception ex, CancellationToken cancellationToken) => ex switch
    {
        _ when cancellationToken.IsCancellationRequested => null,
        BrokenCircuitException => FailureReasons.CircuitOpen,
        TimeoutRejectedException => FailureReasons.Timeout,
        HttpRequestException => FailureReasons.Unreachable,
        JsonException => FailureReasons.InvalidResponse,
        _ => null,
    };
}

internal sealed class OrdersClient(HttpClient http, ILogger<OrdersClient> logger) : DependencyClient(http, logger)
{
    public Task<Fetch<OrderPart>> GetOrderAsync(string orderId, CancellationToken cancellationToken) =>
        GetAsync<OrderPart>($"orders/{Uri.EscapeDataString(orderId)}", cancellationToken);

    /// <summary>POST /orders with the caller's body, content type and Idempotency-Key; never retried by the client.</summary>
    public Task<(ForwardedResult? Answer, string? Failure)> PlaceOrderAsync(byte[] body, string? contentType, string? idempotencyKey, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "orders") { Content = new ByteArrayContent(body) };
        if (contentType is not null)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation(ForwardedResult.IdempotencyKeyHeader, idempotencyKey);
        }

        return SendAndDisposeAsync(request, cancellationToken);
    }

    private async Task<(ForwardedResult?, string?)> SendAndDisposeAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            return await ForwardAsync(request, cancellationToken);
        }
    }
}

internal sealed class CatalogClient(HttpClient http, ILogger<CatalogClient> logger) : DependencyClient(http, logger)
{
    public Task<Fetch<ProductPart>> GetProductAsync(string sku, CancellationToken cancellationToken) =>
        GetAsync<ProductPart>($"products/{Uri.EscapeDataString(sku)}", cancellationToken);
}

internal sealed class PaymentsClient(HttpClient http, ILogger<PaymentsClient> logger) : DependencyClient(http, logger)
{
    public Task<Fetch<PaymentPart>> GetPaymentAsync(string orderId, CancellationToken cancellationToken) =>
        GetAsync<PaymentPart>($"payments/{Uri.EscapeDataString(orderId)}", cancellationToken);
}

internal sealed class InventoryClient(HttpClient http, ILogger<InventoryClient> logger) : DependencyClient(http, logger)
{
    public Task<Fetch<StockPart>> GetReservationAsync(string orderId, CancellationToken cancellationToken) =>
        GetAsync<StockPart>($"reservations/{Uri.EscapeDataString(orderId)}", cancellationToken);
}

/// <summary>The read model (order-query): its answers are relayed as they are.</summary>
internal sealed class OrderQueryClient(HttpClient http, ILogger<OrderQueryClient> logger) : DependencyClient(http, logger)
{
    public async Task<(ForwardedResult? Answer, string? Failure)> GetAsync(string pathAndQuery, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        return await ForwardAsync(request, cancellationToken);
    }
}

internal static class DependencyRegistration
{
    public static IServiceCollection AddDependencyClients(this IServiceCollection services)
    {
        services.AddDependency<OrdersClient>(DaprNames.OrdersAppId);
        services.AddDependency<CatalogClient>(DaprNames.CatalogAppId);
        services.AddDependency<PaymentsClient>(DaprNames.PaymentsAppId);
        services.AddDependency<InventoryClient>(DaprNames.InventoryAppId);
        services.AddDependency<OrderQueryClient>(DaprNames.OrderQueryAppId);
        return services;
    }

    /// <summary>
    /// A typed client for one app id: the resilience pipeline (total timeout → retry, GET only → circuit breaker →
    /// attempt timeout) wraps Dapr's <see cref="InvocationHandler"/>, so each retry is a fresh invocation. The
    /// sidecar must not retry these calls as well (components/gateway-resiliency.yaml).
    /// </summary>
    private static void AddDependency<TClient>(this IServiceCollection services, string appId)
        where TClient : class
    {
        var client = services.AddHttpClient<TClient>((provider, http) =>
        {
            http.BaseAddress = new Uri($"http://{appId}/");
            // InvocationHandler sends every request to the sidecar only; it has no public setter for the token.
            if (DaprDefaults.GetDefaultDaprApiToken(provider.GetRequiredService<IConfiguration>()) is { Length: > 0 } token)
            {
                http.DefaultRequestHeaders.Add("dapr-api-token", token);
            }
        });
        client.AddStandardResilienceHandler()
            .Configure((options, provider) => Apply(options, provider.GetRequiredService<IOptions<GatewayOptions>>().Value.For(appId)));
        client.AddHttpMessageHandler(provider =>
            {
                return new InvocationHandler { DaprEndpoint = DaprDefaults.GetDefaultHttpEndpoint(provider.GetRequiredService<IConfiguration>()) };
            });
    }

    private static void Apply(HttpStandardResilienceOptions options, DependencyOptions budget)
    {
        options.TotalRequestTimeout.Timeout = budget.TotalTimeout;
        options.AttemptTimeout.Timeout = budget.AttemptTimeout;
        options.Retry.MaxRetryAttempts = budget.MaxRetryAttempts;
        options.Retry.Delay = budget.RetryDelay;
        options.Retry.DisableForUnsafeHttpMethods();
        options.CircuitBreaker.FailureRatio = budget.BreakerFailureRatio;
        options.CircuitBreaker.MinimumThroughput = budget.BreakerMinimumThroughput;
        options.CircuitBreaker.SamplingDuration = budget.BreakerSamplingDuration;
        options.CircuitBreaker.BreakDuration = budget.BreakerBreakDuration;
    }
}
