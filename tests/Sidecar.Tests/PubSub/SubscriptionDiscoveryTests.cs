using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Sidecar.PubSub;

namespace Sidecar.Tests.PubSub;

public sealed class SubscriptionDiscoveryTests
{
    [Fact]
    public void Parse_SdkShape_ReadsRoutesRulesDeadLetterAndMetadata()
    {
        const string json = """
            [{"topic":"orders","pubsubName":"pubsub",
              "routes":{"rules":[{"match":"event.type == \"x\"","path":"orders/x"}],"default":"orders"},
              "deadLetterTopic":"orders-dlq","metadata":{"rawPayload":"true"}}]
            """;

        var subscription = Assert.Single(Parse(json));

        Assert.Equal("pubsub", subscription.PubsubName);
        Assert.Equal("orders", subscription.Topic);
        Assert.Equal("orders", subscription.DefaultPath);
        var rule = Assert.Single(subscription.Rules);
        Assert.Equal(("event.type == \"x\"", "orders/x"), (rule.Match, rule.Path));
        Assert.Equal("orders-dlq", subscription.DeadLetterTopic);
        Assert.True(subscription.RawPayload);
    }

    [Fact]
    public void Parse_KeysInOtherCase_AreMatchedCaseInsensitively()
    {
        var subscription = Assert.Single(Parse("""[{"Topic":"t","pubsubname":"ps","ROUTE":"in","DeadLetterTopic":"d"}]"""));

        Assert.Equal(("ps", "t", "in", "d"), (subscription.PubsubName, subscription.Topic, subscription.DefaultPath, subscription.DeadLetterTopic));
        Assert.Empty(subscription.Rules);
    }

    [Fact]
    public void Parse_EntriesWithoutRouteOrNames_AreIgnored()
    {
        var subscriptions = Parse("""[{"topic":"t","pubsubName":"ps"},{"topic":"t2","route":"x"},{"topic":"ok","pubsubName":"ps","route":"x"}]""");

        Assert.Equal("ok", Assert.Single(subscriptions).Topic);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"topic\":\"t\"}")]
    [InlineData("[]")]
    public void Parse_NotAnArrayOfSubscriptions_YieldsNone(string json)
    {
        Assert.Empty(Parse(json));
    }

    private static IReadOnlyList<Sidecar.Resources.SubscriptionResource> Parse(string json) =>
        SubscriptionDiscovery.Parse(Encoding.UTF8.GetBytes(json), NullLogger.Instance);
}
