using System.Text.RegularExpressions;
using Dapr.Client;
using Grpc.Net.Client;
using Platform.Testing;
using GrpcDapr = Dapr.Client.Autogen.Grpc.v1.Dapr;

namespace Sidecar.Tests.State;

/// <summary>The state backends the conformance tests run against, as the names the theories show.</summary>
public static partial class StateBackend
{
    public const string PostgresV1 = "postgres-v1";
    public const string PostgresV2 = "postgres-v2";
    public const string Redis = "redis";
    public const string InMemory = "in-memory";

    public const string StoreName = "statestore";

    public static TheoryData<string> All => [PostgresV1, PostgresV2, Redis, InMemory];

    public static TheoryData<string> Postgres => [PostgresV1, PostgresV2];

    public static TheoryData<string> WithoutQuery => [PostgresV2, Redis, InMemory];

    public static bool IsPostgres(string backend) => backend is PostgresV1 or PostgresV2;

    /// <summary>Starts a sidecar with one state store of the backend: a fresh database (postgres) and a fresh app id.</summary>
    public static async Task<StateScope> StartAsync(BackendsFixture backends, string backend, params (string Name, string Value)[] metadata)
    {
        var appId = $"app-{Guid.NewGuid():N}"[..16];
        string? connectionString = null;
        string yaml;
        switch (backend)
        {
            case PostgresV1:
                connectionString = await backends.Postgres.CreateDatabaseAsync("state");
                yaml = ComponentYaml.PostgresV1(StoreName, connectionString, metadata);
                break;
            case PostgresV2:
                connectionString = await backends.Postgres.CreateDatabaseAsync("state");
                yaml = ComponentYaml.PostgresV2(StoreName, connectionString, metadata);
                break;
            case Redis:
                yaml = ComponentYaml.RedisState(StoreName, backends.Redis.Address, metadata);
                break;
            case InMemory:
                yaml = ComponentYaml.InMemoryState(StoreName, metadata);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(backend), backend, "unknown backend");
        }

        var sidecar = await StartSidecarAsync(appId, yaml);
        var database = connectionString is null ? null : DatabaseName().Match(connectionString).Groups[1].Value;
        return new StateScope(sidecar, appId, database is null ? null : backends.Postgres.NpgsqlConnectionString(database));
    }

    public static string NewKey() => $"key-{Guid.NewGuid():N}";

    /// <summary>
    /// The host picks free ports before binding them; with other test runs on the machine another process can
    /// take one in between. That start-up race is retried; any other failure is not.
    /// </summary>
    public static async Task<TestSidecar> StartSidecarAsync(string appId, string yaml)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TestSidecar.StartAsync(appId, yaml);
            }
            catch (IOException ex) when (attempt < 3 && ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
        }
    }

    [GeneratedRegex(@"database=(\S+)")]
    private static partial Regex DatabaseName();
}

/// <summary>A running sidecar with its store, plus what direct-layout checks need.</summary>
public sealed class StateScope(TestSidecar sidecar, string appId, string? npgsqlConnectionString) : IAsyncDisposable
{
    private GrpcChannel? _channel;

    public TestSidecar Sidecar { get; } = sidecar;

    public DaprClient Client => Sidecar.Client;

    public string AppId { get; } = appId;

    /// <summary>The store's database, for reading PostgreSQL directly; null for other backends.</summary>
    public string? NpgsqlConnectionString { get; } = npgsqlConnectionString;

    /// <summary>The raw gRPC client, for what the SDK hides (response metadata, unknown operation types).</summary>
    public GrpcDapr.DaprClient Grpc => new((_channel ??= GrpcChannel.ForAddress(Sidecar.GrpcEndpoint)));

    public async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        await Sidecar.DisposeAsync();
    }
}
