using System.Globalization;
using Sidecar.Resources;
using StackExchange.Redis;

namespace Sidecar.State;

/// <summary>
/// state.redis in Dapr's layout (store-layouts.md §4): one hash per key with fields data, version (the ETag)
/// and first-write, written by Dapr's own Lua scripts. TTL is the key's expiry; a write without TTL keeps it.
/// Transactions are MULTI/EXEC without rollback: a failed ETag check leaves the other operations applied.
/// </summary>
internal sealed class RedisStateStore(ComponentMetadata metadata) : IStateStore
{
    // Dapr's setDefaultQuery: ARGV[1] = expected version ("0" = none), ARGV[2] = data, ARGV[3] = "0" for first-write.
    private const string SetScript = """
        local var1 = redis.pcall("HGET", KEYS[1], "version");
        if type(var1) == "table" then
          redis.call("DEL", KEYS[1]);
        end;
        local fwr = redis.pcall("HGET", KEYS[1], "first-write");
        if not var1 or type(var1)=="table" or var1 == "" or var1 == ARGV[1] or (not fwr and ARGV[1] == "0") then
          redis.call("HSET", KEYS[1], "data", ARGV[2]);
          if ARGV[3] == "0" then
            redis.call("HSET", KEYS[1], "first-write", 0);
          end;
          return redis.call("HINCRBY", KEYS[1], "version", 1)
        else
          return error("failed to set key " .. KEYS[1])
        end
        """;

    // Dapr's delDefaultQuery: ARGV[1] = expected version, "0" = none.
    private const string DeleteScript = """
        local var1 = redis.pcall("HGET", KEYS[1], "version");
        if not var1 or type(var1)=="table" or var1 == ARGV[1] or var1 == "" or ARGV[1] == "0" then
          return redis.call("DEL", KEYS[1])
        else
          return error("failed to delete " .. KEYS[1])
        end
        """;

    private ConnectionMultiplexer? _connection;
    private IDatabase? _database;
    private int? _defaultTtl;

    // Query is advertised as in Dapr (it needs RediSearch indexes, which this store never has).
    public StateFeatures Features => StateFeatures.ETag | StateFeatures.Transactional | StateFeatures.Ttl | StateFeatures.Query;

    private IDatabase Database => _database ?? throw new InvalidOperationException("state store is not initialised");

    public async Task InitAsync(CancellationToken cancellationToken)
    {
        var host = metadata.Get("redisHost") is { Length: > 0 } h ? h : throw new ArgumentException("redis streams error: redisHost field is required");
        var options = ConfigurationOptions.Parse(host);
        options.Password = metadata.Get("redisPassword") is { Length: > 0 } password ? password : options.Password;
        options.User = metadata.Get("redisUsername") is { Length: > 0 } user ? user : options.User;
        options.Ssl = metadata.GetBool("enableTLS", options.Ssl);
        options.AbortOnConnectFail = true;
        var db = metadata.Get("redisDB") is { Length: > 0 } dbText ? int.Parse(dbText, CultureInfo.InvariantCulture) : 0;
        if (metadata.Get("ttlInSeconds") is { Length: > 0 } ttlText)
        {
            _defaultTtl = int.TryParse(ttlText, CultureInfo.InvariantCulture, out var ttl) ? ttl : throw new ArgumentException($"invalid ttlInSeconds '{ttlText}'");
        }

        _connection = await ConnectionMultiplexer.ConnectAsync(options);
        _database = _connection.GetDatabase(db);
        await _database.PingAsync();
    }

    public async Task<StateEntry?> GetAsync(string key, CancellationToken cancellationToken)
    {
        HashEntry[] fields;
        try
        {
            fields = await Database.HashGetAllAsync(key);
        }
        catch (RedisServerException)
        {
            // Very old Dapr versions stored plain strings; Dapr falls back to GET on any HGETALL error (no ETag).
            var value = await Database.StringGetAsync(key);
            return value.IsNull ? null : new StateEntry((byte[])value!, "", null);
        }

        if (fields.Length == 0)
        {
            return null;
        }

        var data = fields.FirstOrDefault(f => f.Name == "data").Value;
        var version = fields.FirstOrDefault(f => f.Name == "version").Value;
        if (data.IsNull || version.IsNull)
        {
            throw new InvalidOperationException("required hash field 'data' or 'version' was not found");
        }

        // Dapr's Redis store reports no ttlExpireTime on reads.
        return new StateEntry((byte[])data!, version.ToString(), null);
    }

    public async Task SetAsync(StateSetRequest request, CancellationToken cancellationToken)
    {
        var version = ParseVersion(request);
        var ttl = request.TtlSeconds ?? _defaultTtl;
        var firstWrite = request.Concurrency == StateConcurrency.FirstWrite ? "0" : "1";
        try
        {
            await Database.ExecuteAsync("EVAL", SetScript, 1, request.Key, version, request.Value.Bytes.ToArray(), firstWrite);
        }
        catch (RedisServerException ex)
        {
            throw request.ETag is not null ? new ETagMismatchException(ex.Message) : new InvalidOperationException($"failed to set key {request.Key}: {ex.Message}");
        }

        if (ttl is > 0)
        {
            await Database.KeyExpireAsync(request.Key, TimeSpan.FromSeconds(ttl.Value));
        }
        else if (ttl is not null)
        {
            await Database.KeyPersistAsync(request.Key);
        }
    }

    public async Task DeleteAsync(StateDeleteRequest request, CancellationToken cancellationToken)
    {
        try
        {
            // Dapr substitutes "0" only for a missing ETag; an empty one is compared as a version.
            await Database.ExecuteAsync("EVAL", DeleteScript, 1, request.Key, request.ETag ?? "0");
        }
        catch (RedisServerException ex)
        {
            throw new ETagMismatchException(ex.Message);
        }
    }

    public async Task ExecuteTransactionAsync(IReadOnlyList<StateOperation> operations, CancellationToken cancellationToken)
    {
        var transaction = Database.CreateTransaction();
        var results = new List<Task>();
        foreach (var operation in operations)
        {
            switch (operation)
            {
                case UpsertOperation { Request: var set }:
                    // As in Dapr's Multi: the script gets no first-write argument inside a transaction.
                    results.Add(transaction.ExecuteAsync("EVAL", SetScript, 1, set.Key, ParseVersion(set), set.Value.Bytes.ToArray(), "1"));
                    var ttl = set.TtlSeconds ?? _defaultTtl;
                    if (ttl is > 0)
                    {
                        results.Add(transaction.KeyExpireAsync(set.Key, TimeSpan.FromSeconds(ttl.Value)));
                    }
                    else if (ttl is not null)
                    {
                        results.Add(transaction.KeyPersistAsync(set.Key));
                    }

                    break;
                case DeleteOperation { Request: var delete }:
                    results.Add(transaction.ExecuteAsync("EVAL", DeleteScript, 1, delete.Key, delete.ETag ?? "0"));
                    break;
            }
        }

        await transaction.ExecuteAsync();
        var failure = new List<Exception>();
        foreach (var result in results)
        {
            try
            {
                await result;
            }
            catch (RedisServerException ex)
            {
                // EXEC ran every command; the first failing one becomes the transaction's error, the rest stay applied.
                failure.Add(ex);
            }
        }

        if (failure.Count > 0)
        {
            throw new InvalidOperationException(failure[0].Message);
        }
    }

    /// <summary>Dapr's Redis query needs a queryIndexName with a RediSearch schema; without one it fails like this.</summary>
    public Task<StateQueryResult> QueryAsync(string queryJson, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("query index not found");

    public async Task<IReadOnlyList<string>> KeysLikeAsync(string pattern, CancellationToken cancellationToken)
    {
        // SCAN on every primary; the glob selects the same keys as the LIKE pattern (Redis expires keys itself).
        var glob = KeysLike.ToRedisGlob(pattern);
        var regex = KeysLike.ToRegex(pattern);
        var keys = new List<string>();
        foreach (var server in _connection!.GetServers().Where(s => !s.IsReplica))
        {
            await foreach (var key in server.KeysAsync(Database.Database, glob, pageSize: 500).WithCancellation(cancellationToken))
            {
                if (regex.IsMatch(key.ToString()))
                {
                    keys.Add(key.ToString());
                }
            }
        }

        return keys;
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }

    /// <summary>Dapr's parseETag: an explicit last-write ignores the ETag; otherwise it must be an integer.</summary>
    private static string ParseVersion(StateSetRequest request)
    {
        if (request.Concurrency == StateConcurrency.LastWrite || request.ETag is null)
        {
            return "0";
        }

        return int.TryParse(request.ETag, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var version)
            ? version.ToString(CultureInfo.InvariantCulture)
            : throw new ETagInvalidException($"strconv.Atoi: parsing \"{request.ETag}\": invalid syntax");
    }
}
