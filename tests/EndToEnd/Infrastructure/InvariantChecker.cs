using System.Text.Json;
using Npgsql;
using Platform.Testing;
using StackExchange.Redis;

namespace EndToEnd.Infrastructure;

/// <summary>An order the client saw acknowledged (201), with the idempotency key it sent.</summary>
public sealed record AcknowledgedOrder(string OrderId, string IdempotencyKey, string CustomerId, decimal Total);

/// <summary>
/// The independent checker of ../shared/BENCHMARKS-AND-FAULTS.md §4 items 1–5: after quiescence it reads the
/// stores directly (PostgreSQL v2 rows of orders and payments, Redis hashes of inventory, layouts per
/// store-layouts.md) and returns every violation it finds, so a test can print them all at once. The sagas'
/// workflow state (item 2) comes from order-saga's API, when the run has it.
/// </summary>
public static class InvariantChecker
{
    public static async Task<IReadOnlyList<string>> CheckAsync(PlatformRun run, IReadOnlyList<AcknowledgedOrder> ledger)
    {
        var violations = new List<string>();
        var orders = await ReadRowsAsync(run, "orders", "orders||");
        var payments = await ReadRowsAsync(run, "payments", "payments||");
        var redis = run.Redis.Database;
        var reservations = await ReadHashesAsync(run, "inventory||reservation-");
        var stock = await ReadHashesAsync(run, "inventory||stock-");

        // 1. No lost orders; one order per idempotency key.
        foreach (var key in ledger.GroupBy(o => (o.CustomerId, o.IdempotencyKey)).Where(g => g.Select(o => o.OrderId).Distinct().Count() > 1))
        {
            violations.Add($"idempotency key {key.Key.IdempotencyKey} of {key.Key.CustomerId} produced orders {string.Join(", ", key.Select(o => o.OrderId).Distinct())}");
        }

        var statusOf = new Dictionary<string, string>(StringComparer.Ordinal);
        var orchestrated = new List<string>();
        var cancelledByCustomer = new List<string>();
        foreach (var acknowledged in ledger.DistinctBy(o => o.OrderId))
        {
            if (!orders.TryGetValue(acknowledged.OrderId, out var document))
            {
                violations.Add($"order {acknowledged.OrderId} was acknowledged but is not in the orders store");
                continue;
            }

            var order = document.GetProperty("order");
            statusOf[acknowledged.OrderId] = order.GetProperty("status").GetString()!;
            if (order.GetProperty("sagaMode").GetString() == "Orchestration")
            {
                orchestrated.Add(acknowledged.OrderId);
                if (order.TryGetProperty("cancellationRequestedAt", out var requested) && requested.ValueKind == JsonValueKind.String)
                {
                    cancelledByCustomer.Add(acknowledged.OrderId);
                }
            }

            if (order.GetProperty("total").GetDecimal() != acknowledged.Total)
            {
                violations.Add($"order {acknowledged.OrderId}: stored total {order.GetProperty("total").GetDecimal()} ≠ acknowledged {acknowledged.Total}");
            }
        }

        // 2. Every order terminal; no reservation held by a terminal order; nothing left pending in the broker.
        foreach (var (orderId, status) in statusOf.Where(s => s.Value is not ("Confirmed" or "Cancelled")))
        {
            violations.Add($"order {orderId} is {status}, not terminal");
        }

        foreach (var (orderId, status) in statusOf)
        {
            var reservation = reservations.TryGetValue(orderId, out var r) ? r.GetProperty("status").GetString() : null;
            // Committed too: a customer's cancellation must return the stock it had committed.
            if (status == "Cancelled" && reservation is "Pending" or "Reserved" or "Committed")
            {
                violations.Add($"order {orderId} is Cancelled but its reservation is {reservation}");
            }

            if (status == "Confirmed" && reservation is not ("Reserved" or "Committed"))
            {
                violations.Add($"order {orderId} is Confirmed but its reservation is {reservation ?? "missing"}");
            }
        }

        if (run.Runs("order-saga"))
        {
            violations.AddRange(await UnfinishedSagasAsync(run, orchestrated));
            violations.AddRange(await UnfinishedSagasAsync(run, cancelledByCustomer, "/cancellation"));
        }

        foreach (var stream in await StreamsAsync(run))
        {
            foreach (var group in await redis.StreamGroupInfoAsync(stream))
            {
                if (group.PendingMessageCount > 0)
                {
                    violations.Add($"stream {stream}, group {group.Name}: {group.PendingMessageCount} messages delivered but never acknowledged");
                }
            }
        }

        // 3. Stock conservation per SKU: what came in = available + reserved + committed; never negative.
        foreach (var (sku, item) in stock)
        {
            long Field(string name) => item.GetProperty(name).GetInt64();
            if (Field("restocked") != Field("available") + Field("reserved") + Field("committed"))
            {
                violations.Add($"sku {sku}: restocked {Field("restocked")} ≠ available {Field("available")} + reserved {Field("reserved")} + committed {Field("committed")}");
            }

            if (Field("available") < 0 || Field("reserved") < 0)
            {
                violations.Add($"sku {sku}: negative stock (available {Field("available")}, reserved {Field("reserved")})");
            }

            var held = item.GetProperty("holds").EnumerateObject()
                .Where(h => h.Value.GetProperty("state").GetString() == "Held")
                .Where(h => statusOf.TryGetValue(h.Name, out var s) && s is "Confirmed" or "Cancelled" && reservations.TryGetValue(h.Name, out var r) && r.GetProperty("status").GetString() is not "Reserved")
                .Select(h => h.Name)
                .ToList();
            violations.AddRange(held.Select(orderId => $"sku {sku} still holds units for settled order {orderId}"));
        }

        // 4. Money: charges − refunds = totals of confirmed orders; no refund without a charge.
        var paymentRows = payments.Where(p => p.Key.StartsWith("payment-", StringComparison.Ordinal)).ToDictionary(p => p.Key["payment-".Length..], p => p.Value, StringComparer.Ordinal);
        var charged = paymentRows.Where(p => p.Value.GetProperty("status").GetString() == "Succeeded").Sum(p => p.Value.GetProperty("amount").GetDecimal());
        var confirmedTotal = ledger.DistinctBy(o => o.OrderId).Where(o => statusOf.GetValueOrDefault(o.OrderId) == "Confirmed").Sum(o => o.Total);
        if (charged != confirmedTotal)
        {
            violations.Add($"money: {charged} held by succeeded charges ≠ {confirmedTotal} of confirmed orders");
        }

        foreach (var (orderId, payment) in paymentRows)
        {
            var paymentStatus = payment.GetProperty("status").GetString();
            if (paymentStatus == "Succeeded" && statusOf.GetValueOrDefault(orderId) == "Cancelled")
            {
                violations.Add($"order {orderId} is Cancelled but its payment is still Succeeded (not refunded)");
            }

            if (paymentStatus == "Pending")
            {
                violations.Add($"payment of order {orderId} is still Pending");
            }

            if (paymentStatus == "TimedOut")
            {
                // A choreographed charge that timed out must learn its late outcome (refunded or failed) from its job.
                violations.Add($"payment of order {orderId} is still TimedOut: its late outcome was never settled");
            }
        }

        // 5. Effects applied once: one credit award per confirmed order, none left for a cancelled one.
        foreach (var account in payments.Where(p => p.Key.StartsWith("credit-", StringComparison.Ordinal)).Select(p => p.Value))
        {
            long awarded = 0;
            foreach (var entry in account.GetProperty("orders").EnumerateObject())
            {
                var entryStatus = entry.Value.GetProperty("status").GetString();
                if (entryStatus == "Awarded")
                {
                    awarded += entry.Value.GetProperty("points").GetInt64();
                    if (statusOf.GetValueOrDefault(entry.Name) == "Cancelled")
                    {
                        violations.Add($"credit for cancelled order {entry.Name} was not revoked");
                    }
                }
            }

            if (awarded != account.GetProperty("balance").GetInt64())
            {
                violations.Add($"credit of {account.GetProperty("customerId").GetString()}: balance {account.GetProperty("balance").GetInt64()} ≠ {awarded} awarded once per order");
            }
        }

        return violations;
    }

    /// <summary>
    /// The workflow of every orchestrated order has finished (no instance RUNNING/PENDING) and cleanly: a saga in
    /// needs-repair left work undone. Read through order-saga's API, since the saga store holds daprd's actor layout.
    /// </summary>
    /// <param name="workflow">"" for the fulfilment, "/cancellation" for a customer's cancellation.</param>
    private static async Task<List<string>> UnfinishedSagasAsync(PlatformRun run, IReadOnlyList<string> orderIds, string workflow = "")
    {
        var violations = new List<string>();
        using var sagas = run.Client("order-saga");
        foreach (var orderId in orderIds)
        {
            using var response = await sagas.GetAsync(new Uri($"/sagas/{orderId}{workflow}", UriKind.Relative));
            if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                violations.Add($"orchestrated order {orderId} has no saga{workflow}");
                continue;
            }

            response.EnsureSuccessStatusCode();
            using var saga = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var status = saga.RootElement.GetProperty("status").GetString();
            var runtimeStatus = saga.RootElement.GetProperty("runtimeStatus").GetString();
            if (status is not ("completed" or "compensated") || runtimeStatus != "Completed")
            {
                violations.Add($"saga {orderId}{workflow} is {status} (workflow {runtimeStatus}), not finished: {saga.RootElement.GetProperty("errors")}");
            }
        }

        return violations;
    }

    /// <summary>PostgreSQL v2 rows (key → JSON value) of one service's database, without the app-id prefix.</summary>
    private static async Task<Dictionary<string, JsonElement>> ReadRowsAsync(PlatformRun run, string database, string prefix)
    {
        var rows = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        await using var connection = new NpgsqlConnection(run.Postgres.NpgsqlConnectionString(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT key, convert_from(value, 'UTF8') FROM state WHERE key LIKE $1 AND (expires_at IS NULL OR expires_at > now())", connection)
        {
            Parameters = { new() { Value = prefix + "%" } },
        };
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var key = reader.GetString(0)[prefix.Length..];
            if (key.StartsWith("outbox-", StringComparison.Ordinal))
            {
                continue;
            }

            using var document = JsonDocument.Parse(reader.GetString(1));
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                rows[key] = document.RootElement.Clone();
            }
        }

        return rows;
    }

    /// <summary>Redis state hashes (field <c>data</c>) under a key prefix, keyed by what follows it.</summary>
    private static async Task<Dictionary<string, JsonElement>> ReadHashesAsync(PlatformRun run, string prefix)
    {
        var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        var server = run.Redis.Server;
        await foreach (var key in server.KeysAsync(pattern: prefix + "*"))
        {
            var data = await run.Redis.Database.HashGetAsync(key, "data");
            if (data.HasValue)
            {
                using var document = JsonDocument.Parse(data.ToString());
                result[key.ToString()[prefix.Length..]] = document.RootElement.Clone();
            }
        }

        return result;
    }

    private static async Task<List<RedisKey>> StreamsAsync(PlatformRun run)
    {
        var streams = new List<RedisKey>();
        await foreach (var key in run.Redis.Server.KeysAsync(pattern: "*"))
        {
            if (await run.Redis.Database.KeyTypeAsync(key) == RedisType.Stream)
            {
                streams.Add(key);
            }
        }

        return streams;
    }
}
