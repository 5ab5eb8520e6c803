using Sidecar.PubSub;
using Sidecar.Resources;

namespace Sidecar.Tests.PubSub;

public sealed class TopicScopesTests
{
    [Theory]
    [InlineData("app1", "orders", true)]
    [InlineData("app1", "payments", false)]
    [InlineData("app2", "orders", false)]
    [InlineData("app3", "orders", true)]
    [InlineData("app3", "payments", true)]
    [InlineData("app3", "audit", false)]
    [InlineData("app1", "audit", false)]
    [InlineData("app4", "audit", true)]
    public void MayPublish_ScopesAndProtectedTopics_LimitListedApps(string appId, string topic, bool expected)
    {
        var component = Component(("publishingScopes", "app1=orders;app2=;app4=audit"), ("protectedTopics", "audit"));

        Assert.Equal(expected, TopicScopes.MayPublish(component, appId, topic));
    }

    [Theory]
    [InlineData("orders", true)]
    [InlineData("other", false)]
    public void MaySubscribe_AllowedTopics_LimitEveryApp(string topic, bool expected)
    {
        var component = Component(("allowedTopics", "orders, payments"));

        Assert.Equal(expected, TopicScopes.MaySubscribe(component, "any-app", topic));
        Assert.Equal(expected, TopicScopes.MayPublish(component, "any-app", topic));
    }

    private static ComponentResource Component(params (string Name, string Value)[] metadata) =>
        new("pubsub", "pubsub.in-memory", "v1", new ComponentMetadata(metadata.Select(m => KeyValuePair.Create(m.Name, m.Value))), [], "pubsub.yaml");
}
