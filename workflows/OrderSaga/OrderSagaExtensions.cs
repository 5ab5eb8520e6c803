using System.ComponentModel.DataAnnotations;
using Dapr.Workflow;
using OrderSaga.Activities;
using OrderSaga.Domain;
using OrderSaga.Sagas;
using OrderSaga.Workflows;

namespace OrderSaga;

public static class OrderSagaExtensions
{
    public static IHostApplicationBuilder AddOrderSaga(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidation();
        builder.Services.AddOptions<OrderSagaOptions>().BindConfiguration(OrderSagaOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<ServiceCall>();
        builder.Services.AddSingleton<SagaStarter>();
        builder.Services.AddDaprWorkflow(options =>
        {
            options.RegisterWorkflow<OrderFulfillmentWorkflow>();
            options.RegisterActivity<ReserveStockActivity>();
            options.RegisterActivity<ChargePaymentActivity>();
            options.RegisterActivity<ConfirmOrderActivity>();
            options.RegisterActivity<CommitStockActivity>();
            options.RegisterActivity<AwardCreditActivity>();
            options.RegisterActivity<RefundPaymentActivity>();
            options.RegisterActivity<ReleaseStockActivity>();
            options.RegisterActivity<CancelOrderActivity>();
            options.RegisterWorkflow<OrderCancellationWorkflow>();
            options.RegisterActivity<ReturnStockActivity>();
            options.RegisterActivity<RevokeCreditActivity>();
        });
        return builder;
    }
}

/// <summary>Settings of the order-saga app (section "OrderSaga"). A saga takes them into its input when it starts.</summary>
public sealed class OrderSagaOptions
{
    public const string Section = "OrderSaga";

    /// <summary>Orders with a total above this wait for a manual review; none when unset.</summary>
    [Range(typeof(decimal), "0", "1000000000000")]
    public decimal? ReviewAbove { get; set; }

    /// <summary>How long a review may take; then the order is cancelled ("review expired").</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "30.00:00:00")]
    public TimeSpan ReviewTimeout { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How long the saga waits for the charge (a durable timer); then it compensates and refunds a late success.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan PaymentTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts of a forward step that fails with an error (5xx, timeout); refusals are not retried.</summary>
    [Range(1, 100)]
    public int StepAttempts { get; set; } = 3;

    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan StepRetryInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Attempts of a compensation before the saga gives up and shows NeedsRepair.</summary>
    [Range(1, 1000)]
    public int CompensationAttempts { get; set; } = 10;

    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan CompensationRetryInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between two retries (exponential backoff, factor 2).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan MaxRetryInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The deadline of one service invocation from an activity.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(15);

    public SagaSettings ToSettings() => new(
        ReviewAbove,
        ReviewTimeout,
        PaymentTimeout,
        new RetrySettings(StepAttempts, StepRetryInterval, MaxRetryInterval),
        new RetrySettings(CompensationAttempts, CompensationRetryInterval, MaxRetryInterval));
}
