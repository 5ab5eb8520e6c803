using System.Text.Json;
using Sidecar.PubSub.Routing;

namespace Sidecar.Tests.PubSub;

public sealed class RouteMatcherTests
{
    private static readonly JsonElement Event = JsonDocument.Parse("""
        {"id":"1","type":"OrderPlaced","source":"orders","topic":"t","subject":"s-1",
         "data":{"total":250,"customer":{"tier":"gold","vip":true},"note":null,"tags":["a"]}}
        """).RootElement;

    [Theory]
    [InlineData("event.type == \"OrderPlaced\"", true)]
    [InlineData("event.type == 'OrderPlaced'", true)]
    [InlineData("event.type != \"OrderPlaced\"", false)]
    [InlineData("event.source == \"orders\" && event.type == \"OrderPlaced\"", true)]
    [InlineData("event.source == \"x\" && event.type == \"OrderPlaced\"", false)]
    [InlineData("event.source == \"x\" || event.type == \"OrderPlaced\"", true)]
    [InlineData("!(event.type == \"OrderPlaced\")", false)]
    [InlineData("event.data.total > 100", true)]
    [InlineData("event.data.total >= 250 && event.data.total <= 250", true)]
    [InlineData("event.data.total < 100", false)]
    [InlineData("event.data.total == 250", true)]
    [InlineData("event.data.total == 250.0", true)]
    [InlineData("event.data.customer.tier == \"gold\"", true)]
    [InlineData("event.data.customer.vip == true", true)]
    [InlineData("event.data.customer.vip", true)]
    [InlineData("event.data.note == null", true)]
    [InlineData("event.subject.startsWith(\"s-\")", true)]
    [InlineData("event.type.endsWith(\"Placed\") && event.type.contains(\"der\")", true)]
    [InlineData("(event.type == \"A\" || event.type == \"OrderPlaced\") && !(event.data.total < 10)", true)]
    [InlineData("has(event.data.customer.tier)", true)]
    [InlineData("has(event.data.note)", true)]
    [InlineData("has(event.data.missing) || !has(event.subject)", false)]
    [InlineData("true", true)]
    [InlineData("false || false", false)]
    public void Matches_SupportedSubset_EvaluatesLikeCel(string expression, bool expected)
    {
        Assert.Equal(expected, RouteMatcher.Parse(expression).Matches(Event));
    }

    [Theory]
    [InlineData("event.missing == \"x\"", false)]
    [InlineData("event.missing != \"x\"", true)]
    [InlineData("event.data.customer.missing.deeper == 1", false)]
    [InlineData("event.data.total.nested == 1", false)]
    [InlineData("event.data.tags == \"a\"", false)]
    [InlineData("event.missing > 1", false)]
    [InlineData("event.missing.startsWith(\"a\")", false)]
    public void Matches_MissingOrIncomparableField_ComparesUnequalWithoutThrowing(string expression, bool expected)
    {
        Assert.Equal(expected, RouteMatcher.Parse(expression).Matches(Event));
    }

    [Fact]
    public void Matches_NonBooleanResult_DoesNotMatch()
    {
        Assert.False(RouteMatcher.Parse("event.type").Matches(Event));
    }

    [Theory]
    [InlineData("")]
    [InlineData("event.type ==")]
    [InlineData("event.type = \"x\"")]
    [InlineData("evnt.type == \"x\"")]
    [InlineData("event == \"x\"")]
    [InlineData("event.type == \"unterminated")]
    [InlineData("(event.type == \"x\"")]
    [InlineData("event.type.size() == 1")]
    [InlineData("event.type == \"x\" event.id")]
    [InlineData("has(data.x)")]
    public void Parse_InvalidExpression_ThrowsWithPosition(string expression)
    {
        var error = Assert.Throws<RouteExpressionException>(() => RouteMatcher.Parse(expression));
        Assert.Contains("position", error.Message, StringComparison.Ordinal);
    }
}
