using Dapr.Workflow;
using Grpc.Core;
using Microsoft.Extensions.Options;
using OrderSaga.Domain;
using OrderSaga.Workflows;

namespace OrderSaga.Sagas;

/// <summary>
/// Starts the saga of an order, at most once: the instance id is the order id. An instance that exists (running or
/// finished) is left alone — daprd would wipe and restart a finished one — and a concurrent start that loses the
/// race gets "already exists", which is success too. Both start paths (the OrderPlaced event and the orders fast
/// path) come through here, and so do those of an order's cancellation workflow (instance id
/// <c>&lt;orderId&gt;-cancel</c>: OrderCancellationRequested and the orders fast path).
/// </summary>
public sealed class SagaStarter(DaprWorkflowClient workflows, IOptions<OrderSagaOptions> options, ILogger<SagaStarter> logger)
{
    /// <returns>true when this call started the saga, false when it already existed.</returns>
    public Task<bool> StartAsync(OrderSnapshot order, string source, CancellationToken cancellationToken) =>
        StartOnceAsync(order.OrderId, nameof(OrderFulfillmentWorkflow), new FulfillmentInput(order, options.Value.ToSettings()), source, cancellationToken);

    /// <summary>Starts the cancellation workflow of an order (instance <c>&lt;orderId&gt;-cancel</c>), at most once.</summary>
    /// <returns>true when this call started it, false when it already existed.</returns>
    public Task<bool> StartCancellationAsync(CancellationRequest cancellation, string source, CancellationToken cancellationToken) =>
        StartOnceAsync(
            SagaRules.CancellationInstanceId(cancellation.OrderId),
            nameof(OrderCancellationWorkflow),
            new CancellationInput(cancellation, options.Value.ToSettings()),
            source,
            cancellationToken);

    private async Task<bool> StartOnceAsync(string instanceId, string workflow, object input, string source, CancellationToken cancellationToken)
    {
        var existing = await workflows.GetWorkflowStateAsync(instanceId, getInputsAndOutputs: false, cancellationToken);
        if (existing is { Exists: true })
        {
            logger.StartRequested(instanceId, source, "already exists");
            return false;
        }

        try
        {
            await workflows.ScheduleNewWorkflowAsync(workflow, instanceId, input, null, cancellationToken);
        }
        catch (Exception error) when (IsAlreadyExists(error))
        {
            logger.StartRequested(instanceId, source, "lost the start race, already exists");
            return false;
        }

        logger.StartRequested(instanceId, source, "started");
        return true;
    }

    // daprd 1.18 answers AlreadyExists; 1.16 a plain error whose message says so.
    private static bool IsAlreadyExists(Exception? error) => error switch
    {
        null => false,
        RpcException { StatusCode: StatusCode.AlreadyExists } => true,
        RpcException rpc when rpc.Status.Detail.Contains("already exists", StringComparison.OrdinalIgnoreCase) => true,
        _ => IsAlreadyExists(error.InnerException),
    };
}
