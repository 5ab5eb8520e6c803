using System.ComponentModel.DataAnnotations;
using Inventory.Choreography;
using Inventory.Reservations;
using Inventory.Stock;

namespace Inventory;

public static class InventoryExtensions
{
    public static IHostApplicationBuilder AddInventory(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidation();
        builder.Services.AddOptions<InventoryOptions>().BindConfiguration(InventoryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<StockStore>();
        builder.Services.AddSingleton<ReservationStore>();
        builder.Services.AddSingleton<ReservationProcess>();
        builder.Services.AddSingleton<SagaMarkerStore>();
        return builder;
    }
}

/// <summary>Settings of the inventory service (section "Inventory").</summary>
public sealed class InventoryOptions : IValidatableObject
{
    public const string Section = "Inventory";

    /// <summary>The most lines one reservation may have (more is bad input).</summary>
    [Range(1, 500)]
    public int MaxLinesPerReservation { get; set; } = 100;

    /// <summary>How often one read-modify-write is tried when its ETag keeps losing, before the request answers 409.</summary>
    [Range(1, 1000)]
    public int MaxWriteAttempts { get; set; } = 200;

    /// <summary>
    /// A reservation still pending this long after it was recorded is rolled back (Rejected, "expired") by the next
    /// reserve/resume instead of completed, and no line of it is taken any more.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan PendingDeadline { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a SKU record remembers an order it released or committed (so a stale taker is refused).</summary>
    [Range(typeof(TimeSpan), "00:00:02", "30.00:00:00")]
    public TimeSpan SettledRetention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How many recent restock ids a SKU record keeps to make restocks idempotent.</summary>
    [Range(1, 1000)]
    public int RestockIdsKept { get; set; } = 100;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // The argument in README "Stale takers": a line is only taken before the pending deadline, so tombstones
        // must outlive it by a margin for clock skew.
        if (SettledRetention < PendingDeadline * 2)
        {
            yield return new ValidationResult("SettledRetention must be at least twice PendingDeadline", [nameof(SettledRetention)]);
        }
    }
}
