using Platform.Testing;

[assembly: AssemblyFixture(typeof(Platform.IntegrationTests.Infrastructure.PostgresFixture))]

namespace Platform.IntegrationTests.Infrastructure;

/// <summary>One throwaway PostgreSQL for the assembly; every <see cref="ServiceEnvironment"/> creates fresh databases in it.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgresServer? _server;

    public PostgresServer Server => _server ?? throw new InvalidOperationException("PostgreSQL did not start");

    public async ValueTask InitializeAsync() => _server = await PostgresServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
