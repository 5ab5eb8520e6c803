using Sidecar.PubSub;
using Sidecar.Resources;

namespace Sidecar.Tests.PubSub;

public sealed class RedisStreamsSettingsTests
{
    [Fact]
    public void From_NoOptionalMetadata_UsesContribCodeDefaultsAndAppIdAsGroup()
    {
        var settings = RedisStreamsSettings.From(Component(("redisHost", "localhost:6379")), "orders");

        Assert.Equal("orders", settings.ConsumerId);
        Assert.Equal(TimeSpan.FromSeconds(60), settings.ProcessingTimeout);
        Assert.Equal(TimeSpan.FromSeconds(15), settings.RedeliverInterval);
        Assert.Equal(10, settings.Concurrency);
        Assert.Equal(100, settings.QueueDepth);
        Assert.Equal(0, settings.Database);
        Assert.Null(settings.MaxLenApprox);
    }

    [Fact]
    public void From_BareIntegerDurations_AreMilliseconds()
    {
        var settings = RedisStreamsSettings.From(Component(("redisHost", "h:1"), ("processingTimeout", "1500"), ("redeliverInterval", "2s"), ("redisDB", "0")), "a");

        Assert.Equal(TimeSpan.FromMilliseconds(1500), settings.ProcessingTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2), settings.RedeliverInterval);
    }

    [Fact]
    public void From_ConsumerIdIsReadWithExactCase()
    {
        Assert.Equal("group-{x}", RedisStreamsSettings.From(Component(("redisHost", "h:1"), ("consumerID", "group-{x}")), "a").ConsumerId);
        Assert.Equal("a", RedisStreamsSettings.From(Component(("redisHost", "h:1"), ("consumerid", "ignored")), "a").ConsumerId);
        Assert.Equal("app-a", RedisStreamsSettings.From(Component(("redisHost", "h:1"), ("consumerID", "app-{appID}")), "a").ConsumerId);
    }

    [Theory]
    [InlineData("concurrency", "0")]
    [InlineData("processingTimeout", "soon")]
    [InlineData("maxLenApprox", "many")]
    public void From_InvalidValue_NamesTheField(string name, string value)
    {
        var error = Assert.Throws<ResourceException>(() => RedisStreamsSettings.From(Component(("redisHost", "h:1"), (name, value)), "a"));

        Assert.Equal($"spec.metadata.{name}", error.Field);
    }

    private static ComponentResource Component(params (string Name, string Value)[] metadata) =>
        new("pubsub", "pubsub.redis", "v1", new ComponentMetadata(metadata.Select(m => KeyValuePair.Create(m.Name, m.Value))), [], "pubsub.yaml");
}
