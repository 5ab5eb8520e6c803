namespace Orders.UnitTests;

/// <summary>CONVENTIONS 15: every Dapr name the code uses exists in components/.</summary>
public sealed class DaprNamesTests
{
    private static readonly string Components = Path.Combine(RepositoryRoot(), "components");

    [Theory]
    [InlineData(DaprNames.OrdersStore)]
    [InlineData(DaprNames.ReplicaStore)]
    [InlineData(DaprNames.PubSub)]
    public void Component_NamedInCode_DeclaredInYaml(string name) =>
        Assert.Contains(Directory.GetFiles(Components, "*.yaml"), file => File.ReadAllText(file).Contains($"metadata:\n  name: {name}\n", StringComparison.Ordinal));

    [Fact]
    public void Topics_NamedInCode_MatchOutboxAndSubscription()
    {
        var store = File.ReadAllText(Path.Combine(Components, "orders-store.yaml"));
        var subscription = File.ReadAllText(Path.Combine(Components, $"{DaprNames.AppId}-subscriptions.yaml"));

        Assert.Contains($"- name: outboxPublishTopic\n    value: {DaprNames.OrdersTopic}\n", store, StringComparison.Ordinal);
        Assert.Contains($"topic: {DaprNames.CatalogTopic}\n", subscription, StringComparison.Ordinal);
        Assert.Contains($"deadLetterTopic: {DaprNames.CatalogDeadLetterTopic}\n", subscription, StringComparison.Ordinal);
        Assert.Contains($"scopes:\n- {DaprNames.AppId}\n", subscription, StringComparison.Ordinal);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Platform.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Platform.sln not found");
    }
}
