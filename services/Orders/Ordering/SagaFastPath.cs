using System.ComponentModel.DataAnnotations;
using Dapr.Client;
using Microsoft.Extensions.Options;
using Orders.Domain;

namespace Orders.Ordering;

/// <summary>Settings of the saga fast path (section "Orders:SagaFastPath").</summary>
public sealed class SagaFastPathOptions
{
    public const string Section = "Orders:SagaFastPath";

    public bool Enabled { get; set; } = true;

    /// <summary>How long placing an order waits for order-saga at most; the OrderPlaced event starts the saga anyway.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:00:10")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>
/// Right after a new orchestrated order (or its customer cancellation) is committed, asks order-saga to start its
/// saga (<c>POST /sagas</c> with the order snapshot), so the saga does not wait for the outbox relay. Best effort: a failure or timeout is only
/// logged, because OrderPlaced (published with the order, through the outbox) starts the saga too, and order-saga
/// treats the second start as a no-op.
/// </summary>
public sealed class SagaFastPath(IConfiguration configuration, IOptions<SagaFastPathOptions> options, ILogger<SagaFastPath> logger) : IDisposable
{
    private readonly Lazy<HttpClient> _client = new(() =>
    {
        var client = DaprClient.CreateInvokeHttpClient(DaprNames.OrderSagaAppId, configuration["DAPR_HTTP_ENDPOINT"], configuration["DAPR_API_TOKEN"]);
        client.Timeout = System.Threading.Timeout.InfiniteTimeSpan;
        return client;
    });

    public Task StartSagaAsync(OrderResponse order, CancellationToken cancellationToken)
    {
        var snapshot = new
        {
            orderId = order.OrderId,
            customerId = order.CustomerId,
            lines = order.Lines.Select(l => new { sku = l.Sku, productName = l.ProductName, quantity = l.Quantity, unitPrice = l.UnitPrice }),
            currency = order.Currency,
            total = order.Total,
        };
        return PostAsync(order, "sagas", snapshot, cancellationToken);
    }

    /// <summary>
    /// Right after a customer cancellation of an orchestrated order is committed, asks order-saga to start its
    /// cancellation workflow (<c>POST /sagas/{id}/cancellation</c>); OrderCancellationRequested starts it too.
    /// </summary>
    public Task StartCancellationAsync(OrderResponse order, CancellationToken cancellationToken) =>
        PostAsync(
            order,
            $"sagas/{Uri.EscapeDataString(order.OrderId)}/cancellation",
            new { customerId = order.CustomerId, reason = order.CancellationReason },
            cancellationToken);

    private async Task PostAsync(OrderResponse order, string path, object body, CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled || order.SagaMode != SagaMode.Orchestration)
        {
            return;
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Value.Timeout);
        try
        {
            using var response = await _client.Value.PostAsJsonAsync(new Uri(path, UriKind.Relative), body, deadline.Token);
            if (!response.IsSuccessStatusCode)
            {
                logger.SagaFastPathFailed(order.OrderId, $"order-saga answered {(int)response.StatusCode} to {path}");
            }
        }
        catch (Exception error) when (error is HttpRequestException || (error is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // Logged, not hidden: the outbox event (OrderPlaced, OrderCancellationRequested) is the path that guarantees the start.
            logger.SagaFastPathFailed(order.OrderId, error.Message);
        }
    }

    public void Dispose()
    {
        if (_client.IsValueCreated)
        {
            _client.Value.Dispose();
        }
    }
}

public static class SagaFastPathExtensions
{
    public static IServiceCollection AddSagaFastPath(this IServiceCollection services)
    {
        services.AddOptions<SagaFastPathOptions>().BindConfiguration(SagaFastPathOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SagaFastPath>();
        return services;
    }
}
