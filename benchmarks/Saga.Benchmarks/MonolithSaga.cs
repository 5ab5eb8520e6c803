using Npgsql;
using NpgsqlTypes;

namespace Saga.Benchmarks;

/// <summary>
/// Baseline M of W1 (../shared/BENCHMARKS-AND-FAULTS.md §2): the same business reads and writes as the saga —
/// price the lines, record the order under its idempotency key, reserve the stock, charge (or decline), confirm
/// or cancel, award credit — in ONE PostgreSQL transaction through Npgsql, with no sidecar, broker or workflow.
/// A declined customer takes the compensation path: the stock is given back and the order cancelled.
/// </summary>
internal sealed class MonolithSaga(NpgsqlDataSource data)
{
    public static async Task<MonolithSaga> CreateAsync(string connectionString, int skus)
    {
        var data = NpgsqlDataSource.Create(connectionString);
        await using var command = data.CreateCommand("""
            CREATE TABLE products (sku text PRIMARY KEY, name text NOT NULL, price numeric NOT NULL, currency text NOT NULL, active boolean NOT NULL);
            CREATE TABLE stock (sku text PRIMARY KEY, available bigint NOT NULL CHECK (available >= 0), reserved bigint NOT NULL, committed bigint NOT NULL);
            CREATE TABLE orders (order_id uuid PRIMARY KEY, customer_id text NOT NULL, idempotency_key text NOT NULL, status text NOT NULL,
                                 total numeric NOT NULL, lines jsonb NOT NULL, version bigint NOT NULL, UNIQUE (customer_id, idempotency_key));
            CREATE TABLE payments (order_id uuid PRIMARY KEY, amount numeric NOT NULL, status text NOT NULL);
            CREATE TABLE credit (customer_id text PRIMARY KEY, balance bigint NOT NULL);
            """);
        await command.ExecuteNonQueryAsync();
        await using var seed = data.CreateCommand("""
            INSERT INTO products SELECT 'BENCH-' || i, 'Mug ' || i, 12.50, 'EUR', true FROM generate_series(1, @skus) AS i;
            INSERT INTO stock SELECT 'BENCH-' || i, 1000000000, 0, 0 FROM generate_series(1, @skus) AS i;
            """);
        seed.Parameters.Add(new NpgsqlParameter("skus", skus));
        await seed.ExecuteNonQueryAsync();
        return new MonolithSaga(data);
    }

    /// <summary>One saga to its terminal state; true when it was compensated (declined payment).</summary>
    public async Task<bool> RunAsync(string sku, string customerId, string idempotencyKey, bool declined)
    {
        await using var connection = await data.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        const int quantity = 2;
        decimal price;
        await using (var read = new NpgsqlCommand("SELECT price FROM products WHERE sku = $1 AND active", connection, transaction) { Parameters = { new() { Value = sku } } })
        {
            price = (decimal)(await read.ExecuteScalarAsync())!;
        }

        var orderId = Guid.NewGuid();
        var total = price * quantity;
        await Execute(connection, transaction, "INSERT INTO orders VALUES ($1, $2, $3, 'Placed', $4, $5, 1)",
            orderId, customerId, idempotencyKey, total, new NpgsqlParameter { Value = $$"""[{"sku":"{{sku}}","quantity":{{quantity}},"unitPrice":{{price}}}]""", NpgsqlDbType = NpgsqlDbType.Jsonb });
        await Execute(connection, transaction, "UPDATE stock SET available = available - $2, reserved = reserved + $2 WHERE sku = $1", sku, quantity);
        await Execute(connection, transaction, "INSERT INTO payments VALUES ($1, $2, $3)", orderId, total, declined ? "Failed" : "Succeeded");
        if (declined)
        {
            await Execute(connection, transaction, "UPDATE stock SET available = available + $2, reserved = reserved - $2 WHERE sku = $1", sku, quantity);
            await Execute(connection, transaction, "UPDATE orders SET status = 'Cancelled', version = version + 1 WHERE order_id = $1", orderId);
        }
        else
        {
            await Execute(connection, transaction, "UPDATE orders SET status = 'Confirmed', version = version + 1 WHERE order_id = $1", orderId);
            await Execute(connection, transaction, "UPDATE stock SET reserved = reserved - $2, committed = committed + $2 WHERE sku = $1", sku, quantity);
            await Execute(connection, transaction, "INSERT INTO credit VALUES ($1, $2) ON CONFLICT (customer_id) DO UPDATE SET balance = credit.balance + $2", customerId, (long)Math.Floor(total));
        }

        await transaction.CommitAsync();
        return declined;
    }

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, params object[] values)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var value in values)
        {
            command.Parameters.Add(value as NpgsqlParameter ?? new NpgsqlParameter { Value = value });
        }

        await command.ExecuteNonQueryAsync();
    }
}
