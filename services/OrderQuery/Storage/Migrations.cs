namespace OrderQuery.Storage;

/// <summary>
/// The versioned schema of the views. Append only: a released migration is never edited, a change is a new one.
/// <c>{schema}</c> is replaced by the quoted schema name.
/// </summary>
internal static class Migrations
{
    public static IReadOnlyList<(int Version, string Description, string Sql)> All { get; } =
    [
        (1, "order summaries, products, inbox", """
            CREATE TABLE {schema}.order_summary (
                order_id     text PRIMARY KEY,
                customer_id  text,
                saga_status  text NOT NULL,
                placed_at    timestamptz,
                document     jsonb NOT NULL,
                updated_at   timestamptz NOT NULL,
                staleness_ms double precision
            );
            CREATE TABLE {schema}.product (
                sku          text PRIMARY KEY,
                name         text NOT NULL,
                category     text NOT NULL,
                price        numeric(19, 4) NOT NULL,
                currency     text NOT NULL,
                active       boolean NOT NULL,
                version      bigint NOT NULL,
                updated_at   timestamptz NOT NULL,
                applied_at   timestamptz NOT NULL,
                staleness_ms double precision
            );
            CREATE TABLE {schema}.inbox (
                source       text NOT NULL,
                event_id     text NOT NULL,
                event_type   text NOT NULL,
                aggregate_id text NOT NULL,
                version      bigint NOT NULL,
                occurred_at  timestamptz NOT NULL,
                applied_at   timestamptz NOT NULL,
                staleness_ms double precision NOT NULL,
                PRIMARY KEY (source, event_id)
            );
            """),
        (2, "query indexes and the product search vector", """
            CREATE INDEX order_summary_by_customer ON {schema}.order_summary (customer_id, placed_at DESC NULLS LAST, order_id);
            ALTER TABLE {schema}.product ADD COLUMN search tsvector GENERATED ALWAYS AS (
                setweight(to_tsvector('english', name), 'A') || setweight(to_tsvector('english', category), 'B')) STORED;
            CREATE INDEX product_search ON {schema}.product USING gin (search);
            CREATE INDEX product_category_price ON {schema}.product (lower(category), price);
            CREATE INDEX inbox_recent ON {schema}.inbox (applied_at DESC);
            """),
    ];
}
