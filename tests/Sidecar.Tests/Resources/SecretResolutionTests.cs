namespace Sidecar.Tests.Resources;

/// <summary>secretKeyRef through secretstores.local.file / local.env (auth.secretStore), and envRef.</summary>
public sealed class SecretResolutionTests : IDisposable
{
    private readonly ResourceFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static string SecretRefComponent(string secretStore, string secretName, string? key = null) => $"""
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata:
          name: cache
        spec:
          type: state.redis
          version: v1
          metadata:
          - name: redisHost
            value: localhost:6379
          - name: redisPassword
            secretKeyRef:
              name: {secretName}
        {(key is null ? "" : $"      key: {key}\n")}auth:
          secretStore: {secretStore}

        """;

    private static string FileStore(string name, params (string Name, string Value)[] extra) =>
        ResourceFolder.Component(name, "secretstores.local.file", "v1", [("secretsFile", "secrets.json"), .. extra]);

    [Fact]
    public void Load_SecretKeyRefFromLocalFile_ResolvesNestedValueWithSeparator()
    {
        _folder.Write("secrets.json", """{ "redis": { "password": "from-file" } }""");
        _folder.Write("a-store.yaml", FileStore("files"));
        _folder.Write("b-cache.yaml", SecretRefComponent("files", "redis:password"));

        var cache = _folder.Load().Components.Single(c => c.Name == "cache");

        Assert.Equal("from-file", cache.Metadata.Get("redisPassword"));
    }

    [Fact]
    public void Load_LocalFileWithCustomSeparator_FlattensWithIt()
    {
        _folder.Write("secrets.json", """{ "redis": { "password": "dotted" } }""");
        _folder.Write("a-store.yaml", FileStore("files", ("nestedSeparator", ".")));
        _folder.Write("b-cache.yaml", SecretRefComponent("files", "redis.password"));

        Assert.Equal("dotted", _folder.Load().Components.Single(c => c.Name == "cache").Metadata.Get("redisPassword"));
    }

    [Fact]
    public void Load_MultiValuedLocalFile_ResolvesSecretAndKey()
    {
        _folder.Write("secrets.json", """{ "redis": { "password": "multi", "user": "u" } }""");
        _folder.Write("a-store.yaml", FileStore("files", ("multiValued", "true")));
        _folder.Write("b-cache.yaml", SecretRefComponent("files", "redis", key: "password"));

        Assert.Equal("multi", _folder.Load().Components.Single(c => c.Name == "cache").Metadata.Get("redisPassword"));
    }

    [Fact]
    public void Load_SecretKeyRefFromEnvStore_ResolvesWithPrefix()
    {
        _folder.Env("APP_REDIS_PASSWORD", "from-env");
        _folder.Write("a-store.yaml", ResourceFolder.Component("envs", "secretstores.local.env", "v1", ("prefix", "APP_")));
        _folder.Write("b-cache.yaml", SecretRefComponent("envs", "REDIS_PASSWORD"));

        Assert.Equal("from-env", _folder.Load().Components.Single(c => c.Name == "cache").Metadata.Get("redisPassword"));
    }

    [Fact]
    public void Load_EnvRef_ResolvesFromEnvironment()
    {
        _folder.Env("REDIS_HOST", "redis.internal:6379");
        _folder.Write("c.yaml", "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: c\nspec:\n  type: state.redis\n  version: v1\n  metadata:\n  - name: redisHost\n    envRef: REDIS_HOST\n");

        Assert.Equal("redis.internal:6379", Assert.Single(_folder.Load().Components).Metadata.Get("redisHost"));
    }

    [Theory]
    [InlineData("redisPassword", "hunter2", true)]
    [InlineData("redisPassword", "", false)]
    [InlineData("redisHost", "localhost:6379", false)]
    public void Load_PlainTextSecret_LoadsWithAWarning(string field, string value, bool warned)
    {
        _folder.Write("c.yaml", ResourceFolder.Component("cache", "state.redis", "v1", ("redisHost", "localhost:6379"), (field == "redisHost" ? "redisPort" : field, value)));

        var set = _folder.Load();

        Assert.Single(set.Components);
        Assert.Equal(warned, set.Warnings!.Any(w => w.Contains("plain text", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("host=db user=app password=s3cret", true)]
    [InlineData("postgres://app:s3cret@db:5432/orders", true)]
    [InlineData("host=db user=app", false)]
    [InlineData("postgres://db:5432/orders", false)]
    public void Load_PlainConnectionString_WarnsOnlyWhenItCarriesAPassword(string connectionString, bool warned)
    {
        _folder.Write("c.yaml", ResourceFolder.Component("store", "state.postgresql", "v2", ("connectionString", connectionString)));

        var set = _folder.Load();

        Assert.Equal(warned, set.Warnings!.Any(w => w.Contains("spec.metadata.connectionString", StringComparison.Ordinal)));
    }

    [Fact]
    public void Load_SecretFromSecretKeyRef_IsNotWarnedAbout()
    {
        _folder.Write("secrets.json", """{ "redis": { "password": "from-file" } }""");
        _folder.Write("a-store.yaml", FileStore("files"));
        _folder.Write("b-cache.yaml", SecretRefComponent("files", "redis:password"));

        Assert.Empty(_folder.Load().Warnings!);
    }

    [Fact]
    public void Load_MissingSecretInStore_NamesFileAndSecretKeyRef()
    {
        _folder.Write("secrets.json", """{ "other": "x" }""");
        _folder.Write("a-store.yaml", FileStore("files"));
        var file = _folder.Write("b-cache.yaml", SecretRefComponent("files", "redis:password"));

        var error = _folder.LoadFails();

        Assert.Equal(file, error.File);
        Assert.Equal("spec.metadata[1].secretKeyRef", error.Field);
        Assert.Contains("'redis:password'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UndefinedSecretStore_NamesFileAndSecretKeyRef()
    {
        var file = _folder.Write("b-cache.yaml", SecretRefComponent("vault", "redis-password"));

        var error = _folder.LoadFails();

        Assert.Equal(file, error.File);
        Assert.Equal("spec.metadata[1].secretKeyRef", error.Field);
        Assert.Contains("'vault'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SecretKeyRefWithoutAuthSecretStore_Fails()
    {
        _folder.Write("a-store.yaml", ResourceFolder.Component("envs", "secretstores.local.env", "v1"));
        _folder.Write("b-cache.yaml", SecretRefComponent("envs", "X").Replace("auth:\n  secretStore: envs\n", "", StringComparison.Ordinal));

        var error = _folder.LoadFails();

        Assert.Equal("spec.metadata[1].secretKeyRef", error.Field);
        Assert.Contains("auth.secretStore", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SecretStoreScopedToOtherApp_IsNotUsableByThisApp()
    {
        _folder.Env("REDIS_PASSWORD", "x");
        _folder.Write("a-store.yaml", "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: envs\nspec:\n  type: secretstores.local.env\n  version: v1\n  metadata: []\nscopes:\n- other\n");
        _folder.Write("b-cache.yaml", SecretRefComponent("envs", "REDIS_PASSWORD"));

        var error = _folder.LoadFails("app");

        Assert.Contains("'envs'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingSecretsFile_NamesSecretsFileField()
    {
        var file = _folder.Write("a-store.yaml", FileStore("files"));

        var error = _folder.LoadFails();

        Assert.Equal(file, error.File);
        Assert.Equal("spec.metadata.secretsFile", error.Field);
    }

    [Theory]
    [InlineData("{ not json", "not valid JSON")]
    [InlineData("[1, 2]", "JSON object")]
    public void Load_BadSecretsJson_NamesStoreFileAndSecretsFileField(string json, string message)
    {
        var secrets = _folder.Write("secrets.json", json);
        var file = _folder.Write("a-store.yaml", FileStore("files"));

        var error = _folder.LoadFails();

        Assert.Equal(file, error.File);
        Assert.Equal("spec.metadata.secretsFile", error.Field);
        Assert.Contains(secrets, error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
