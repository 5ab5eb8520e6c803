using Platform.Testing;

namespace Sidecar.Tests.Resources;

/// <summary>Component YAML that daprd (or the component) would refuse stops loading with the file and the field.</summary>
public sealed class ComponentValidationTests : IDisposable
{
    private readonly ResourceFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: [unclosed\nspec: {}\n", "line 4")]
    [InlineData("apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: a\n   bad: indent: here\n", "line 5")]
    [InlineData("apiVersion: dapr.io/v1alpha1\nkind: Component\nspec:\n  type: \"unterminated\n", "line 4")]
    public void Load_MalformedYaml_NamesFileAndLine(string yaml, string line)
    {
        var file = _folder.Write("broken.yaml", yaml);

        var error = _folder.LoadFails();

        Assert.Equal(file, error.File);
        Assert.Equal(line, error.Field);
        Assert.Contains("malformed YAML", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnsupportedKind_IsSkippedWithAWarning()
    {
        _folder.Write("other.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n---\n"
            + "apiVersion: dapr.io/v1alpha1\nkind: HTTPEndpoint\nmetadata:\n  name: ep\nspec:\n  baseUrl: http://x\n---\n"
            + ResourceFolder.Component("env", "secretstores.local.env", "v1"));

        var set = _folder.Load();

        Assert.Equal("env", Assert.Single(set.Components).Name);
        Assert.Contains("HTTPEndpoint 'ep' is not supported", Assert.Single(set.Warnings!), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnknownType_FailsOnSpecType()
    {
        var file = _folder.Write("c.yaml", ResourceFolder.Component("mq", "pubsub.rabbitmq", "v1", ("host", "amqp://x")));

        var error = _folder.LoadFails();

        Assert.Equal(file, error.File);
        Assert.Equal("spec.type", error.Field);
        Assert.Contains("pubsub.rabbitmq", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnknownVersion_FailsOnSpecVersion()
    {
        _folder.Write("c.yaml", ResourceFolder.Component("store", "state.postgresql", "v3", ("connectionString", "host=x")));

        var error = _folder.LoadFails();

        Assert.Equal("spec.version", error.Field);
        Assert.Contains("v1 or v2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_PostgresWithoutVersion_RunsV1AsDaprdDoes()
    {
        _folder.Write("c.yaml", ResourceFolder.Component("store", "state.postgres", "", ("connectionString", "host=x")));

        var component = Assert.Single(_folder.Load().Components);

        Assert.Equal("v1", component.Version);
    }

    [Theory]
    [InlineData("state.postgresql", "v2", "connectionString")]
    [InlineData("state.redis", "v1", "redisHost")]
    [InlineData("pubsub.redis", "v1", "redisHost")]
    [InlineData("bindings.cron", "v1", "schedule")]
    [InlineData("secretstores.local.file", "v1", "secretsFile")]
    public void Load_MissingRequiredMetadata_NamesTheField(string type, string version, string field)
    {
        var file = _folder.Write("c.yaml", ResourceFolder.Component("c", type, version, ("unrelated", "x")));

        var error = _folder.LoadFails();

        Assert.Equal(file, error.File);
        Assert.Equal($"spec.metadata.{field}", error.Field);
    }

    [Fact]
    public void Load_PostgresDiscreteHostFields_SatisfyTheConnectionRequirement()
    {
        _folder.Write("c.yaml", ResourceFolder.Component("store", "state.postgresql", "v2", ("host", "localhost"), ("port", "5432"), ("user", "u")));

        Assert.Single(_folder.Load().Components);
    }

    [Theory]
    [InlineData("state.redis", "enableTLS", "yes", "not a bool")]
    [InlineData("state.in-memory", "actorStateStore", "1", "not a bool")]
    [InlineData("state.postgresql", "timeout", "20 seconds", "not a duration")]
    [InlineData("state.postgresql", "maxConns", "ten", "not an integer")]
    [InlineData("state.redis", "redisDB", "1.5", "not an integer")]
    [InlineData("state.redis", "redisType", "Cluster", "not allowed")]
    [InlineData("state.postgresql", "queryExecMode", "fast", "not allowed")]
    [InlineData("secretstores.local.file", "multiValued", "on", "not a bool")]
    public void Load_InvalidValue_FailsOnThatField(string type, string field, string value, string expected)
    {
        (string, string)[] required = type switch
        {
            "state.redis" => [("redisHost", "localhost:6379")],
            "state.postgresql" => [("connectionString", "host=x")],
            "secretstores.local.file" => [("secretsFile", "secrets.json")],
            _ => [],
        };
        _folder.Write("secrets.json", "{}");
        _folder.Write("c.yaml", ResourceFolder.Component("c", type, "v1", [.. required, (field, value)]));

        var error = _folder.LoadFails();

        Assert.Equal($"spec.metadata.{field}", error.Field);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("timeout", "45")]
    [InlineData("timeout", "1m30s")]
    [InlineData("timeoutInSeconds", "30")]
    [InlineData("cleanupInterval", "{uuid}")]
    public void Load_ValidDurationForms_AreAccepted(string field, string value)
    {
        _folder.Write("c.yaml", ResourceFolder.Component("c", "state.postgresql", "v1", ("connectionString", "host=x"), (field, value)));

        Assert.Single(_folder.Load().Components);
    }

    [Fact]
    public void Load_UnknownMetadataName_LoadsWithAWarning()
    {
        _folder.Write("c.yaml", ResourceFolder.Component("c", "state.redis", "v1", ("redisHost", "localhost:6379"), ("redisHots", "typo")));

        var set = _folder.Load();

        Assert.Single(set.Components);
        Assert.Contains(set.Warnings!, w => w.Contains("spec.metadata.redisHots", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_MetadataNamesDifferingOnlyByCase_FailAsDuplicates()
    {
        var file = _folder.Write("c.yaml", ResourceFolder.Component("c", "state.redis", "v1", ("redisHost", "a:6379"), ("RedisHost", "b:6379")));

        var error = _folder.LoadFails();

        Assert.Equal(file, error.File);
        Assert.Equal("spec.metadata[1].name", error.Field);
        Assert.Contains("twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ExactCaseBuiltinWrittenInOtherCase_Fails()
    {
        _folder.Write("c.yaml", ResourceFolder.Component("c", "pubsub.in-memory", "v1", ("consumerId", "group")));

        var error = _folder.LoadFails();

        Assert.Equal("spec.metadata.consumerId", error.Field);
        Assert.Contains("consumerID", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_DuplicateComponentNames_FailOnTheSecond()
    {
        _folder.Write("a.yaml", ResourceFolder.Component("same", "secretstores.local.env", "v1"));
        var second = _folder.Write("b.yaml", ResourceFolder.Component("same", "bindings.cron", "v1", ("schedule", "@every 1m")));

        var error = _folder.LoadFails();

        Assert.Equal(second, error.File);
        Assert.Equal("metadata.name", error.Field);
    }

    [Fact]
    public void Load_TwoActorStateStores_Fails()
    {
        _folder.Write("a.yaml", ComponentYaml.InMemoryState("one", ("actorStateStore", "true")));
        var second = _folder.Write("b.yaml", ComponentYaml.RedisState("two", "localhost:6379", ("actorStateStore", "true")));

        var error = _folder.LoadFails();

        Assert.Equal(second, error.File);
        Assert.Equal("spec.metadata.actorStateStore", error.Field);
    }

    [Fact]
    public void Load_OneActorStateStoreAndOneNot_Loads()
    {
        _folder.Write("a.yaml", ComponentYaml.InMemoryState("one", ("actorStateStore", "true")));
        _folder.Write("b.yaml", ComponentYaml.RedisState("two", "localhost:6379", ("actorStateStore", "false")));

        Assert.Equal(2, _folder.Load().Components.Count);
    }

    [Theory]
    [InlineData("outboxPublishPubsub", "outboxPublishTopic")]
    [InlineData("outboxPublishTopic", "outboxPublishPubsub")]
    public void Load_OutboxWithOneKeyOnly_NamesTheMissingKey(string given, string missing)
    {
        _folder.Write("c.yaml", ComponentYaml.InMemoryState("store", (given, "x")));

        var error = _folder.LoadFails();

        Assert.Equal($"spec.metadata.{missing}", error.Field);
    }

    [Fact]
    public void Load_KeyPrefixWithSeparator_Fails()
    {
        _folder.Write("c.yaml", ComponentYaml.InMemoryState("store", ("keyPrefix", "a||b")));

        var error = _folder.LoadFails();

        Assert.Equal("spec.metadata.keyPrefix", error.Field);
    }

    [Theory]
    [InlineData("every minute")]
    [InlineData("@every soon")]
    [InlineData("* * *")]
    public void Load_CronWithBadSchedule_Fails(string schedule)
    {
        _folder.Write("c.yaml", ResourceFolder.Component("tick", "bindings.cron", "v1", ("schedule", schedule)));

        var error = _folder.LoadFails();

        Assert.Equal("spec.metadata.schedule", error.Field);
    }

    [Fact]
    public void Load_CronWithInputBuiltins_LoadsWithoutWarnings()
    {
        _folder.Write("c.yaml", ResourceFolder.Component("tick", "bindings.cron", "v1", ("schedule", "*/5 * * * *"), ("direction", "input"), ("route", "/tick")));

        var set = _folder.Load();

        Assert.Single(set.Components);
        Assert.Empty(set.Warnings!);
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("a||b")]
    [InlineData("\"with space\"")]
    [InlineData("\"a?b\"")]
    [InlineData("..")]
    public void Load_ComponentNameNotAPathSegment_FailsOnMetadataName(string name)
    {
        _folder.Write("c.yaml", ResourceFolder.Component("placeholder", "secretstores.local.env", "v1").Replace("name: placeholder", $"name: {name}", StringComparison.Ordinal));

        var error = _folder.LoadFails();

        Assert.Equal("metadata.name", error.Field);
    }

    [Fact]
    public void Load_ComponentOfOtherApiVersion_Fails()
    {
        _folder.Write("c.yaml", ResourceFolder.Component("c", "secretstores.local.env", "v1").Replace("dapr.io/v1alpha1", "dapr.io/v2", StringComparison.Ordinal));

        var error = _folder.LoadFails();

        Assert.Equal("apiVersion", error.Field);
    }
}
