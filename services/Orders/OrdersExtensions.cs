using System.ComponentModel.DataAnnotations;
using Orders.Replica;
using Orders.Ordering;
using ServiceDefaults;

namespace Orders;

public static class OrdersExtensions
{
    public static IHostApplicationBuilder AddOrders(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidation();
        builder.Services.AddOptions<OrdersOptions>().BindConfiguration(OrdersOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<OrderStore>();
        builder.Services.AddSingleton<CustomerOrderIndex>();
        builder.Services.AddSingleton<CustomerDirectory>();
        builder.Services.AddSingleton<PriceReplica>();
        builder.Services.AddSagaFastPath();
        builder.Services.AddSidecarHttpClient<ReviewDeadlines>();
        return builder;
    }
}

/// <summary>Settings of the orders service (section "Orders").</summary>
public sealed class OrdersOptions
{
    public const string Section = "Orders";

    /// <summary>The largest page a list endpoint returns.</summary>
    [Range(1, 500)]
    public int MaxPageSize { get; set; } = 100;

    /// <summary>The page size when the caller names none.</summary>
    [Range(1, 500)]
    public int DefaultPageSize { get; set; } = 20;

    /// <summary>The most lines one order may have.</summary>
    [Range(1, 1000)]
    public int MaxLinesPerOrder { get; set; } = 50;

    /// <summary>The largest quantity of one line.</summary>
    [Range(1, 1_000_000)]
    public int MaxQuantityPerLine { get; set; } = 10_000;

    /// <summary>How long a writer holds an order while it commits a change (a crashed writer's claim expires after it).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan WriteLease { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a read-modify-write is tried (ETag conflicts, a held lease) before answering 409.</summary>
    [Range(1, 200)]
    public int MaxWriteAttempts { get; set; } = 60;

    /// <summary>
    /// A choreographed order whose total is above this waits for a manual review before payments charges it (the
    /// meaning of OrderSaga:ReviewAbove); none = no review.
    /// </summary>
    [Range(typeof(decimal), "0", "1000000000")]
    public decimal? ReviewAbove { get; set; }

    /// <summary>How long a choreographed order waits for its review before it is cancelled as expired (OrderSaga:ReviewTimeout).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan ReviewTimeout { get; set; } = TimeSpan.FromDays(1);

    public Domain.ReviewPolicy ReviewPolicy => new(ReviewAbove, ReviewTimeout);

    /// <summary>How long processed catalog event ids are remembered (the version rule covers older duplicates).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan InboxRetention { get; set; } = TimeSpan.FromDays(7);
}
