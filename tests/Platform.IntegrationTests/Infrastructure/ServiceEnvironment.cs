using System.Text.RegularExpressions;
using Platform.Testing;

namespace Platform.IntegrationTests.Infrastructure;

/// <summary>
/// A world of its own for one test class: a fresh Redis (state and pub/sub streams), fresh PostgreSQL databases
/// for every <c>PLATFORM_POSTGRES_&lt;DB&gt;_CONNECTION</c> secret the components name, a copy of the repository's
/// <c>components/</c> (optionally with files replaced, for store swaps) and a name registry shared by the
/// services started in it, so they can invoke each other.
/// </summary>
public sealed partial class ServiceEnvironment : IAsyncDisposable
{
    private readonly Dictionary<string, string> _secrets;
    private readonly List<RunningService> _services = [];

    private ServiceEnvironment(PostgresServer postgres, RedisServer redis, string directory, Dictionary<string, string> secrets)
    {
        Postgres = postgres;
        Redis = redis;
        Directory = directory;
        _secrets = secrets;
    }

    public PostgresServer Postgres { get; }

    public RedisServer Redis { get; }

    /// <summary>Holds resources/, registry/ and a data folder per sidecar.</summary>
    public string Directory { get; }

    public string ResourcesDirectory => Path.Combine(Directory, "resources");

    /// <param name="componentOverrides">File name in components/ → new content (null removes the file).</param>
    public static async Task<ServiceEnvironment> StartAsync(PostgresServer postgres, IReadOnlyDictionary<string, string?>? componentOverrides = null)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("platform-env-").FullName;
        var resources = System.IO.Directory.CreateDirectory(Path.Combine(directory, "resources")).FullName;
        foreach (var file in System.IO.Directory.GetFiles(RepositoryPaths.Components, "*.yaml"))
        {
            File.Copy(file, Path.Combine(resources, Path.GetFileName(file)));
        }

        foreach (var (name, content) in componentOverrides ?? new Dictionary<string, string?>())
        {
            var path = Path.Combine(resources, name);
            if (content is null)
            {
                File.Delete(path);
            }
            else
            {
                await File.WriteAllTextAsync(path, content);
            }
        }

        var redis = await RedisServer.StartAsync();
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal) { ["PLATFORM_REDIS_HOST"] = redis.Address };
        var yaml = string.Join('\n', System.IO.Directory.GetFiles(resources, "*.yaml").Select(File.ReadAllText));
        foreach (var secret in DatabaseSecret().Matches(yaml).Select(m => m.Value).Distinct())
        {
            secrets[secret] = await postgres.CreateDatabaseAsync(DatabaseSecret().Match(secret).Groups["db"].Value.ToLowerInvariant());
        }

        return new ServiceEnvironment(postgres, redis, directory, secrets);
    }

    /// <summary>The libpq connection string behind a component secret, e.g. <c>PLATFORM_POSTGRES_ORDERS_CONNECTION</c>.</summary>
    public string Secret(string name) => _secrets.TryGetValue(name, out var value)
        ? value
        : throw new KeyNotFoundException($"no component in this environment names the secret {name}");

    /// <summary>An Npgsql connection string to a service's database (tests read the physical rows with it).</summary>
    public string NpgsqlConnectionString(string databaseSecret)
    {
        var database = Regex.Match(Secret(databaseSecret), "database=(\\S+)").Groups[1].Value;
        return Postgres.NpgsqlConnectionString(database);
    }

    /// <summary>Starts a service (its Program, through WebApplicationFactory) on a real port with its own sidecar.</summary>
    /// <typeparam name="TMarker">Any public non-static type of the service's assembly.</typeparam>
    public async Task<RunningService> StartServiceAsync<TMarker>(string appId, ServiceStartOptions? options = null)
        where TMarker : class
    {
        var service = await RunningService.StartAsync<TMarker>(this, appId, options ?? new ServiceStartOptions());
        _services.Add(service);
        return service;
    }

    internal string? LookupEnvironment(string name) => _secrets.GetValueOrDefault(name);

    public async ValueTask DisposeAsync()
    {
        foreach (var service in Enumerable.Reverse(_services))
        {
            await service.DisposeAsync();
        }

        await Redis.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A sidecar's data folder still being written while it stops; the OS temp cleaner takes it.
        }
    }

    [GeneratedRegex("PLATFORM_POSTGRES_(?<db>[A-Z0-9]+)_CONNECTION")]
    private static partial Regex DatabaseSecret();
}
