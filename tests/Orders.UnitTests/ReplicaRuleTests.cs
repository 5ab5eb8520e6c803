using Orders.Domain;

namespace Orders.UnitTests;

public sealed class ReplicaRuleTests
{
    private static ProductPrice Version(long version, decimal price = 1m) => new("A", "Apple", price, "EUR", Active: true, version);

    [Fact]
    public void Apply_NothingYet_TakesIncoming() => Assert.Equal(Version(1), ReplicaRule.Apply(null, Version(1)));

    [Fact]
    public void Apply_OverPlaceholder_TakesIncoming() => Assert.Equal(Version(1), ReplicaRule.Apply(ProductPrice.Placeholder("A"), Version(1)));

    [Fact]
    public void Apply_NewerVersion_TakesIncoming() => Assert.Equal(Version(3, 2m), ReplicaRule.Apply(Version(2), Version(3, 2m)));

    [Fact]
    public void Apply_OlderVersion_KeepsCurrent() => Assert.Null(ReplicaRule.Apply(Version(3), Version(2, 5m)));

    [Fact]
    public void Apply_SameVersion_KeepsCurrent() => Assert.Null(ReplicaRule.Apply(Version(3), Version(3, 5m)));
}
