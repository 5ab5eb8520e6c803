using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using OrderQuery.Domain;

namespace OrderQuery.Storage;

internal enum ProjectionOutcome
{
    Applied,
    Stale,
    Duplicate,
}

/// <summary>A stored order summary with when it last changed and how stale the change was when it became visible.</summary>
internal sealed record StoredSummary(OrderSummary Summary, DateTimeOffset UpdatedAt, double? StalenessMs);

internal sealed record ProductHit(string Sku, string Name, string Category, decimal Price, string Currency, bool Active, long Version, DateTimeOffset UpdatedAt, float Rank);

internal sealed record StalenessFigures(long Count, double? P50Ms, double? P99Ms, double? MaxMs);

/// <summary>
/// The views of one schema. Every event-driven update is ONE transaction holding the inbox row (keyed by the
/// event's own <c>eventId</c>) and the view change, so a redelivered event changes nothing; the row lock
/// (<c>SELECT … FOR UPDATE</c>) serializes concurrent events of one order, and the version rules in
/// <see cref="OrderProjection"/> make the result independent of the delivery order.
/// </summary>
internal sealed class ViewStore(NpgsqlDataSource dataSource, string schema, TimeProvider time)
{
    /// <summary>The inbox source of catalog events.</summary>
    public const string ProductSource = "catalog";

    public string Schema => schema;

    /// <param name="viaInbox">True for a live event (deduplicated, staleness recorded); false for the rebuild.</param>
    public async Task<ProjectionOutcome> ApplyOrderFactAsync(OrderFact fact, bool viaInbox, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var now = time.GetUtcNow();
        double? staleness = viaInbox ? Math.Max(0, (now - fact.OccurredAt).TotalMilliseconds) : null;
        if (viaInbox && !await TryRecordInboxAsync(connection, fact.Source, fact.EventId, fact.EventType, fact.OrderId, fact.Version, fact.OccurredAt, now, staleness!.Value, cancellationToken))
        {
            return ProjectionOutcome.Duplicate;
        }

        await using (var insert = Command(connection, $"""
            INSERT INTO {schema}.order_summary (order_id, saga_status, document, updated_at) VALUES (@id, @status, @document, @now)
            ON CONFLICT (order_id) DO NOTHING
            """))
        {
            insert.Parameters.AddWithValue("id", fact.OrderId);
            insert.Parameters.AddWithValue("status", nameof(SagaStatus.Pending));
            insert.Parameters.AddWithValue("document", NpgsqlDbType.Jsonb, Serialize(OrderSummary.Empty(fact.OrderId)));
            insert.Parameters.AddWithValue("now", now);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        string currentJson;
        await using (var select = Command(connection, $"SELECT document::text FROM {schema}.order_summary WHERE order_id = @id FOR UPDATE"))
        {
            select.Parameters.AddWithValue("id", fact.OrderId);
            currentJson = (string)(await select.ExecuteScalarAsync(cancellationToken))!;
        }

        var current = JsonSerializer.Deserialize<OrderSummary>(currentJson, ViewDatabase.DocumentJson)!;
        var next = OrderProjection.Apply(current, fact);
        var nextJson = Serialize(next);
        if (nextJson == Serialize(current))
        {
            await transaction.CommitAsync(cancellationToken);
            return ProjectionOutcome.Stale;
        }

        await using (var update = Command(connection, $"""
            UPDATE {schema}.order_summary
            SET customer_id = @customer, saga_status = @status, placed_at = @placedAt, document = @document, updated_at = @now,
                staleness_ms = coalesce(@staleness, staleness_ms)
            WHERE order_id = @id
            """))
        {
            update.Parameters.AddWithValue("id", fact.OrderId);
            update.Parameters.Add(Nullable("customer", NpgsqlDbType.Text, next.CustomerId));
            update.Parameters.AddWithValue("status", next.SagaStatus.ToString());
            update.Parameters.Add(Nullable("placedAt", NpgsqlDbType.TimestampTz, next.PlacedAt));
            update.Parameters.AddWithValue("document", NpgsqlDbType.Jsonb, nextJson);
            update.Parameters.AddWithValue("now", now);
            update.Parameters.Add(Nullable("staleness", NpgsqlDbType.Double, staleness));
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return ProjectionOutcome.Applied;
    }

    /// <summary>Upserts the product unless the stored version is the same or newer (one statement, so races cannot regress it).</summary>
    public async Task<ProjectionOutcome> ApplyProductAsync(string eventId, string eventType, ProductView product, bool viaInbox, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var now = time.GetUtcNow();
        double? staleness = viaInbox ? Math.Max(0, (now - product.UpdatedAt).TotalMilliseconds) : null;
        if (viaInbox && !await TryRecordInboxAsync(connection, ProductSource, eventId, eventType, product.Sku, product.Version, product.UpdatedAt, now, staleness!.Value, cancellationToken))
        {
            return ProjectionOutcome.Duplicate;
        }

        await using var upsert = Command(connection, $"""
            INSERT INTO {schema}.product (sku, name, category, price, currency, active, version, updated_at, applied_at, staleness_ms)
            VALUES (@sku, @name, @category, @price, @currency, @active, @version, @updatedAt, @now, @staleness)
            ON CONFLICT (sku) DO UPDATE SET name = excluded.name, category = excluded.category, price = excluded.price,
                currency = excluded.currency, active = excluded.active, version = excluded.version, updated_at = excluded.updated_at,
                applied_at = excluded.applied_at, staleness_ms = coalesce(excluded.staleness_ms, {schema}.product.staleness_ms)
            WHERE {schema}.product.version < excluded.version
            """);
        upsert.Parameters.AddWithValue("sku", product.Sku);
        upsert.Parameters.AddWithValue("name", product.Name);
        upsert.Parameters.AddWithValue("category", product.Category);
        upsert.Parameters.AddWithValue("price", product.Price);
        upsert.Parameters.AddWithValue("currency", product.Currency);
        upsert.Parameters.AddWithValue("active", product.Active);
        upsert.Parameters.AddWithValue("version", product.Version);
        upsert.Parameters.AddWithValue("updatedAt", product.UpdatedAt);
        upsert.Parameters.AddWithValue("now", now);
        upsert.Parameters.Add(Nullable("staleness", NpgsqlDbType.Double, staleness));
        var changed = await upsert.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return changed == 0 ? ProjectionOutcome.Stale : ProjectionOutcome.Applied;
    }

    public async Task<StoredSummary?> GetSummaryAsync(string orderId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var select = Command(connection, $"SELECT document::text, updated_at, staleness_ms FROM {schema}.order_summary WHERE order_id = @id");
        select.Parameters.AddWithValue("id", orderId);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new StoredSummary(ReadDocument(reader, 0), reader.GetFieldValue<DateTimeOffset>(1), reader.IsDBNull(2) ? null : reader.GetDouble(2))
            : null;
    }

    /// <summary>A customer's orders, newest placed first (orders whose placement has not arrived yet last), with the total count.</summary>
    public async Task<(IReadOnlyList<OrderSummary> Items, long Total)> ListCustomerOrdersAsync(
        string customerId, SagaStatus? status, DateTimeOffset? from, DateTimeOffset? to, int page, int pageSize, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var select = Command(connection, $"""
            SELECT document::text, count(*) OVER () FROM {schema}.order_summary
            WHERE customer_id = @customer
              AND (@status::text IS NULL OR saga_status = @status::text)
              AND (@from::timestamptz IS NULL OR placed_at >= @from::timestamptz)
              AND (@to::timestamptz IS NULL OR placed_at < @to::timestamptz)
            ORDER BY placed_at DESC NULLS LAST, order_id
            LIMIT @limit OFFSET @offset
            """);
        select.Parameters.AddWithValue("customer", customerId);
        select.Parameters.Add(Nullable("status", NpgsqlDbType.Text, status?.ToString()));
        select.Parameters.Add(Nullable("from", NpgsqlDbType.TimestampTz, from));
        select.Parameters.Add(Nullable("to", NpgsqlDbType.TimestampTz, to));
        select.Parameters.AddWithValue("limit", pageSize);
        select.Parameters.AddWithValue("offset", (long)(page - 1) * pageSize);
        var items = new List<OrderSummary>();
        long total = 0;
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(ReadDocument(reader, 0));
            total = reader.GetInt64(1);
        }

        return (items, items.Count == 0 && page > 1 ? await CountCustomerOrdersAsync(connection, customerId, status, from, to, cancellationToken) : total);
    }

    /// <summary>Full-text search on name (weight A) and category (weight B), English stemming, websearch syntax; active products only.</summary>
    public async Task<(IReadOnlyList<ProductHit> Items, long Total)> SearchProductsAsync(
        string? query, string? category, decimal? minPrice, decimal? maxPrice, int page, int pageSize, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var select = Command(connection, $"""
            SELECT sku, name, category, price, currency, active, version, updated_at,
                   CASE WHEN @q::text IS NULL THEN 0 ELSE ts_rank(search, websearch_to_tsquery('english', @q::text)) END AS rank,
                   count(*) OVER ()
            FROM {schema}.product
            WHERE active
              AND (@q::text IS NULL OR search @@ websearch_to_tsquery('english', @q::text))
              AND (@category::text IS NULL OR lower(category) = lower(@category::text))
              AND (@min::numeric IS NULL OR price >= @min::numeric)
              AND (@max::numeric IS NULL OR price <= @max::numeric)
            ORDER BY rank DESC, name, sku
            LIMIT @limit OFFSET @offset
            """);
        select.Parameters.Add(Nullable("q", NpgsqlDbType.Text, string.IsNullOrWhiteSpace(query) ? null : query));
        select.Parameters.Add(Nullable("category", NpgsqlDbType.Text, string.IsNullOrWhiteSpace(category) ? null : category));
        select.Parameters.Add(Nullable("min", NpgsqlDbType.Numeric, minPrice));
        select.Parameters.Add(Nullable("max", NpgsqlDbType.Numeric, maxPrice));
        select.Parameters.AddWithValue("limit", pageSize);
        select.Parameters.AddWithValue("offset", (long)(page - 1) * pageSize);
        var items = new List<ProductHit>();
        long total = 0;
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(new ProductHit(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetDecimal(3), reader.GetString(4), reader.GetBoolean(5),
                reader.GetInt64(6), reader.GetFieldValue<DateTimeOffset>(7), reader.GetFloat(8)));
            total = reader.GetInt64(9);
        }

        return (items, total);
    }

    public async Task<ProductView?> GetProductAsync(string sku, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var select = Command(connection, $"SELECT sku, name, category, price, currency, active, version, updated_at FROM {schema}.product WHERE sku = @sku");
        select.Parameters.AddWithValue("sku", sku);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new ProductView(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetDecimal(3), reader.GetString(4), reader.GetBoolean(5), reader.GetInt64(6), reader.GetFieldValue<DateTimeOffset>(7))
            : null;
    }

    /// <summary>Staleness (event <c>occurredAt</c> → committed in the view) of the last <paramref name="last"/> live updates.</summary>
    public async Task<StalenessFigures> GetStalenessAsync(int last, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var select = Command(connection, $"""
            SELECT count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY staleness_ms), percentile_cont(0.99) WITHIN GROUP (ORDER BY staleness_ms), max(staleness_ms)
            FROM (SELECT staleness_ms FROM {schema}.inbox ORDER BY applied_at DESC LIMIT @last) recent
            """);
        select.Parameters.AddWithValue("last", last);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new StalenessFigures(reader.GetInt64(0), NullableDouble(reader, 1), NullableDouble(reader, 2), NullableDouble(reader, 3));
    }

    /// <summary>Every customer the views know (the rebuild's only way to find orders: orders has no "all orders" list).</summary>
    public async Task<IReadOnlyList<string>> KnownCustomersAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var select = Command(connection, $"SELECT DISTINCT customer_id FROM {schema}.order_summary WHERE customer_id IS NOT NULL ORDER BY customer_id");
        var customers = new List<string>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            customers.Add(reader.GetString(0));
        }

        return customers;
    }

    private async Task<long> CountCustomerOrdersAsync(
        NpgsqlConnection connection, string customerId, SagaStatus? status, DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken)
    {
        await using var count = Command(connection, $"""
            SELECT count(*) FROM {schema}.order_summary
            WHERE customer_id = @customer
              AND (@status::text IS NULL OR saga_status = @status::text)
              AND (@from::timestamptz IS NULL OR placed_at >= @from::timestamptz)
              AND (@to::timestamptz IS NULL OR placed_at < @to::timestamptz)
            """);
        count.Parameters.AddWithValue("customer", customerId);
        count.Parameters.Add(Nullable("status", NpgsqlDbType.Text, status?.ToString()));
        count.Parameters.Add(Nullable("from", NpgsqlDbType.TimestampTz, from));
        count.Parameters.Add(Nullable("to", NpgsqlDbType.TimestampTz, to));
        return (long)(await count.ExecuteScalarAsync(cancellationToken))!;
    }

    private async Task<bool> TryRecordInboxAsync(
        NpgsqlConnection connection, string source, string eventId, string eventType, string aggregateId, long version, DateTimeOffset occurredAt, DateTimeOffset now, double staleness, CancellationToken cancellationToken)
    {
        // A concurrent delivery of the same event blocks here until the first commits, then finds the row.
        await using var insert = Command(connection, $"""
            INSERT INTO {schema}.inbox (source, event_id, event_type, aggregate_id, version, occurred_at, applied_at, staleness_ms)
            VALUES (@source, @eventId, @eventType, @aggregateId, @version, @occurredAt, @now, @staleness)
            ON CONFLICT (source, event_id) DO NOTHING
            """);
        insert.Parameters.AddWithValue("source", source);
        insert.Parameters.AddWithValue("eventId", eventId);
        insert.Parameters.AddWithValue("eventType", eventType);
        insert.Parameters.AddWithValue("aggregateId", aggregateId);
        insert.Parameters.AddWithValue("version", version);
        insert.Parameters.AddWithValue("occurredAt", occurredAt);
        insert.Parameters.AddWithValue("now", now);
        insert.Parameters.AddWithValue("staleness", staleness);
        return await insert.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql) => new(sql, connection);

    private static NpgsqlParameter Nullable(string name, NpgsqlDbType type, object? value) => new(name, type) { Value = value ?? DBNull.Value };

    private static double? NullableDouble(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetDouble(ordinal);

    /// <summary>
    /// The document's UTF-8 bytes straight into the deserializer, without a UTF-16 string in between (the summary
    /// read is the hot path). The row is already in memory (the reader is not in sequential mode), so no I/O blocks here.
    /// </summary>
    private static OrderSummary ReadDocument(NpgsqlDataReader reader, int ordinal)
    {
        using var document = reader.GetStream(ordinal);
        return JsonSerializer.Deserialize<OrderSummary>(document, ViewDatabase.DocumentJson)!;
    }

    private static string Serialize(OrderSummary summary) => JsonSerializer.Serialize(summary, ViewDatabase.DocumentJson);
}
