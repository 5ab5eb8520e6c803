using Platform.Testing;

[assembly: AssemblyFixture(typeof(Sidecar.Tests.BackendsFixture))]

namespace Sidecar.Tests;

/// <summary>One throwaway PostgreSQL and one Redis for the whole test assembly; tests isolate by fresh databases, keys and app ids.</summary>
public sealed class BackendsFixture : IAsyncLifetime
{
    private PostgresServer? _postgres;
    private RedisServer? _redis;

    public PostgresServer Postgres => _postgres ?? throw new InvalidOperationException("PostgreSQL did not start");

    public RedisServer Redis => _redis ?? throw new InvalidOperationException("Redis did not start");

    public async ValueTask InitializeAsync()
    {
        var postgres = PostgresServer.StartAsync();
        var redis = RedisServer.StartAsync();
        _postgres = await postgres;
        _redis = await redis;
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }
}
