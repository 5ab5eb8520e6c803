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
/// path) come through here.
/// </summary>
public sealed class SagaStarter(DaprWorkflowClient workflows, IOptions<OrderSagaOptions> options, ILogger<SagaStarter> logger)
{
    /// <returns>true when this call started the saga, false when it already existed.</returns>
    public async Task<bool> StartAsync(OrderSnapshot order, string source, CancellationToken cancellationToken)
    {
        var existing = await workflows.GetWorkflowStateAsync(order.OrderId, getInputsAndOutputs: false, cancellationToken);
        if (existing is { Exists: true })
        {
            logger.StartRequested(order.OrderId, source, "already exists");
            return false;
        }

        try
        {
            await workflows.ScheduleNewWorkflowAsync(
                nameof(OrderFulfillmentWorkflow), order.OrderId, new FulfillmentInput(order, options.Value.ToSettings()), null, cancellationToken);
        }
        catch (Exception error) when (IsAlreadyExists(error))
        {
            logger.StartRequested(order.OrderId, source, "lost the start race, already exists");
            return false;
        }

        logger.StartRequested(order.OrderId, source, "started");
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
