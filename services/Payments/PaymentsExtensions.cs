using System.ComponentModel.DataAnnotations;
using Payments.Charges;
using Payments.Choreography;
using Payments.Credit;
using Payments.Domain;
using Payments.Gateway;
using ServiceDefaults;

namespace Payments;

public static class PaymentsExtensions
{
    public static IHostApplicationBuilder AddPayments(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidation();
        builder.Services.AddOptions<PaymentsOptions>().BindConfiguration(PaymentsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<PaymentStore>();
        builder.Services.AddSingleton<CreditStore>();
        builder.Services.AddSingleton<SagaOrderStore>();
        builder.Services.AddSingleton<PaymentGatewaySimulator>();
        builder.Services.AddSingleton<IPaymentGateway>(services => services.GetRequiredService<PaymentGatewaySimulator>());
        builder.Services.AddSidecarHttpClient<LateOutcomeChecks>();
        return builder;
    }
}

/// <summary>Settings of the payments service (section "Payments"); the gateway simulator's are in "Payments:Gateway".</summary>
public sealed class PaymentsOptions
{
    public const string Section = "Payments";

    /// <summary>How often a read-modify-write is tried when the aggregate keeps changing under it (then 409).</summary>
    [Range(1, 100)]
    public int MaxConcurrencyAttempts { get; set; } = 20;

    /// <summary>How long a credit account remembers an order it awarded or revoked (late duplicates and compensations within it are recognised).</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00")]
    public TimeSpan CreditLedgerRetention { get; set; } = TimeSpan.FromDays(400);

    /// <summary>The most orders a credit account remembers; the least recently changed are forgotten first.</summary>
    [Range(10, 100_000)]
    public int CreditLedgerMaxEntries { get; set; } = 2_000;

    /// <summary>
    /// How long a choreographed charge (on StockReserved) waits for the gateway; then the payment is TimedOut and
    /// PaymentFailed goes out. <c>POST /payments</c> is not bounded: the orchestrated saga has its own timer. The
    /// default stays under pubsub.redis's processingTimeout (15 s in components/pubsub.yaml): a handler that waits
    /// longer has its StockReserved claimed and delivered again while it still waits (harmless, but wasted work).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan ChargeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a timed-out payment asks the gateway again for its late outcome (whole seconds).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan LateOutcomeCheckInterval { get; set; } = TimeSpan.FromSeconds(10);

    internal CreditLedgerPolicy ToCreditLedgerPolicy() => new(CreditLedgerRetention, CreditLedgerMaxEntries);
}
