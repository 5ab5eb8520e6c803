using Orders;
using Platform.IntegrationTests.Infrastructure;

namespace Platform.IntegrationTests.OrdersService;

/// <summary>
/// One orders service per store variant. The variants differ ONLY in component YAML (the store swap): the
/// repository's PostgreSQL v2 components, or orders-store and orders-replica on state.redis or state.in-memory,
/// keeping the outbox metadata, scopes and secret references.
/// </summary>
public abstract class OrdersServiceFixture(PostgresFixture postgres) : IAsyncLifetime
{
    private ServiceEnvironment? _environment;
    private RunningService? _service;

    public ServiceEnvironment Environment => _environment ?? throw new InvalidOperationException("not started");

    public RunningService Service => _service ?? throw new InvalidOperationException("not started");

    protected abstract IReadOnlyDictionary<string, string?> ComponentOverrides { get; }

    public async ValueTask InitializeAsync()
    {
        _environment = await ServiceEnvironment.StartAsync(postgres.Server, ComponentOverrides);
        _service = await _environment.StartServiceAsync<OrdersOptions>(DaprNames.AppId);
    }

    public async ValueTask DisposeAsync()
    {
        if (_environment is not null)
        {
            await _environment.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}

public sealed class PostgreSqlOrdersFixture(PostgresFixture postgres) : OrdersServiceFixture(postgres)
{
    protected override IReadOnlyDictionary<string, string?> ComponentOverrides { get; } = new Dictionary<string, string?>();
}

public sealed class RedisOrdersFixture(PostgresFixture postgres) : OrdersServiceFixture(postgres)
{
    protected override IReadOnlyDictionary<string, string?> ComponentOverrides { get; } = new Dictionary<string, string?>
    {
        ["orders-store.yaml"] = """
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: orders-store
            spec:
              type: state.redis
              version: v1
              metadata:
              - name: redisHost
                secretKeyRef:
                  name: PLATFORM_REDIS_HOST
                  key: PLATFORM_REDIS_HOST
              - name: outboxPublishPubsub
                value: pubsub
              - name: outboxPublishTopic
                value: orders
              - name: outboxDiscardWhenMissingState
                value: "true"
            auth:
              secretStore: secretstore
            scopes:
            - orders
            """,
        ["orders-replica.yaml"] = """
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: orders-replica
            spec:
              type: state.redis
              version: v1
              metadata:
              - name: redisHost
                secretKeyRef:
                  name: PLATFORM_REDIS_HOST
                  key: PLATFORM_REDIS_HOST
              - name: keyPrefix
                value: name
            auth:
              secretStore: secretstore
            scopes:
            - orders
            """,
    };
}

public sealed class InMemoryOrdersFixture(PostgresFixture postgres) : OrdersServiceFixture(postgres)
{
    protected override IReadOnlyDictionary<string, string?> ComponentOverrides { get; } = new Dictionary<string, string?>
    {
        ["orders-store.yaml"] = """
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: orders-store
            spec:
              type: state.in-memory
              version: v1
              metadata:
              - name: outboxPublishPubsub
                value: pubsub
              - name: outboxPublishTopic
                value: orders
              - name: outboxDiscardWhenMissingState
                value: "true"
            auth:
              secretStore: secretstore
            scopes:
            - orders
            """,
        ["orders-replica.yaml"] = """
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: orders-replica
            spec:
              type: state.in-memory
              version: v1
              metadata: []
            auth:
              secretStore: secretstore
            scopes:
            - orders
            """,
    };
}

/// <summary>The orders suite on the repository's components: state.postgresql v2.</summary>
public sealed class OrdersOnPostgreSqlTests(PostgreSqlOrdersFixture fixture) : OrdersServiceTests(fixture), IClassFixture<PostgreSqlOrdersFixture>;

/// <summary>The same suite with orders-store and orders-replica swapped to state.redis (YAML only).</summary>
public sealed class OrdersOnRedisTests(RedisOrdersFixture fixture) : OrdersServiceTests(fixture), IClassFixture<RedisOrdersFixture>;

/// <summary>The same suite with orders-store and orders-replica swapped to state.in-memory (YAML only).</summary>
public sealed class OrdersOnInMemoryTests(InMemoryOrdersFixture fixture) : OrdersServiceTests(fixture), IClassFixture<InMemoryOrdersFixture>;
