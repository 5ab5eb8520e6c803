using Catalog.Products;

namespace Catalog.UnitTests;

public sealed class ETagsTests
{
    [Theory]
    [InlineData("\"42\"", true)]
    [InlineData("42", true)]
    [InlineData("*", true)]
    [InlineData("\"41\", \"42\"", true)]
    [InlineData("\"41\"", false)]
    [InlineData("W/\"42\"", false)]
    public void Matches_IfMatchAgainstStoreETag(string ifMatch, bool expected)
    {
        Assert.Equal(expected, ETags.Matches(ifMatch, "42"));
    }

    [Fact]
    public void Format_Quoted()
    {
        Assert.Equal("\"42\"", ETags.Format("42"));
    }
}
