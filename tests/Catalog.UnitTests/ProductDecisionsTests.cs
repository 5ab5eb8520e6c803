using Catalog.Domain;

namespace Catalog.UnitTests;

public sealed class ProductDecisionsTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private static readonly DateTimeOffset Later = Now.AddMinutes(5);
    private static readonly ProductDetails Mug = new("Mug", "Stoneware", "kitchen", true);

    private static Product Existing() =>
        ((Decision.Changed)ProductDecisions.Create("MUG-1", Mug, 10.00m, "EUR", Now)).Change.Product;

    [Fact]
    public void Create_ValidCommand_Version1CreatedAtNow()
    {
        var decision = ProductDecisions.Create("MUG-1", Mug, 10.00m, "EUR", Now);

        var change = Assert.IsType<Decision.Changed>(decision).Change;
        Assert.Equal(ProductChangeKind.Created, change.Kind);
        Assert.Equal(new Product("MUG-1", "Mug", "Stoneware", "kitchen", new Money(10m, Currency.EUR), true, 1, Now, Now), change.Product);
    }

    [Fact]
    public void Create_PaddedNameAndCategory_Trimmed()
    {
        var decision = ProductDecisions.Create("MUG-1", new ProductDetails("  Mug ", " d ", " kitchen ", true), 1m, "EUR", Now);

        var product = Assert.IsType<Decision.Changed>(decision).Change.Product;
        Assert.Equal(("Mug", "d", "kitchen"), (product.Name, product.Description, product.Category));
    }

    [Theory]
    [InlineData("", "sku")]
    [InlineData("has space", "sku")]
    [InlineData("-x", "sku")]
    [InlineData("a||b", "sku")]
    public void Create_InvalidSku_Rejected(string sku, string field)
    {
        var decision = ProductDecisions.Create(sku, Mug, 1m, "EUR", Now);

        Assert.Contains(Assert.IsType<Decision.Rejected>(decision).Errors, e => e.Field == field);
    }

    [Fact]
    public void Create_SkuOfMaxLength_Accepted()
    {
        Assert.IsType<Decision.Changed>(ProductDecisions.Create(new string('A', ProductDecisions.MaxSkuLength), Mug, 1m, "EUR", Now));
        Assert.IsType<Decision.Rejected>(ProductDecisions.Create(new string('A', ProductDecisions.MaxSkuLength + 1), Mug, 1m, "EUR", Now));
    }

    [Theory]
    [InlineData(" ", "kitchen", "name")]
    [InlineData("Mug", "", "category")]
    public void Create_BlankRequiredText_Rejected(string name, string category, string field)
    {
        var decision = ProductDecisions.Create("MUG-1", new ProductDetails(name, "", category, true), 1m, "EUR", Now);

        Assert.Equal(field, Assert.Single(Assert.IsType<Decision.Rejected>(decision).Errors).Field);
    }

    [Fact]
    public void Create_TooLongTexts_EachReported()
    {
        var details = new ProductDetails(new string('n', 201), new string('d', 2001), new string('c', 101), true);

        var decision = ProductDecisions.Create("MUG-1", details, 1m, "EUR", Now);

        Assert.Equal(["category", "description", "name"], Assert.IsType<Decision.Rejected>(decision).Errors.Select(e => e.Field).Order());
    }

    [Fact]
    public void Create_SeveralProblems_AllReported()
    {
        var decision = ProductDecisions.Create("bad sku", new ProductDetails("", "", "", true), 0m, "XXX", Now);

        Assert.Equal(["category", "currency", "name", "price", "sku"], Assert.IsType<Decision.Rejected>(decision).Errors.Select(e => e.Field).Order());
    }

    [Fact]
    public void Update_ChangedDetails_NextVersionUpdatedAtNowCreatedAtKept()
    {
        var decision = ProductDecisions.Update(Existing(), new ProductDetails("Cup", "", "cups", false), Later);

        var change = Assert.IsType<Decision.Changed>(decision).Change;
        Assert.Equal(ProductChangeKind.Updated, change.Kind);
        Assert.Equal(("Cup", "", "cups", false, 2L, Now, Later, 10m), (change.Product.Name, change.Product.Description, change.Product.Category,
            change.Product.Active, change.Product.Version, change.Product.CreatedAt, change.Product.UpdatedAt, change.Product.Price.Amount));
    }

    [Fact]
    public void Update_SameDetailsAfterTrimming_Unchanged()
    {
        var current = Existing();

        var decision = ProductDecisions.Update(current, new ProductDetails(" Mug", "Stoneware ", "kitchen", true), Later);

        Assert.Equal(current, Assert.IsType<Decision.Unchanged>(decision).Product);
    }

    [Fact]
    public void Update_OnlyActiveFlag_IsAChange()
    {
        var decision = ProductDecisions.Update(Existing(), Mug with { Active = false }, Later);

        Assert.False(Assert.IsType<Decision.Changed>(decision).Change.Product.Active);
    }

    [Fact]
    public void Update_BlankName_Rejected()
    {
        Assert.IsType<Decision.Rejected>(ProductDecisions.Update(Existing(), Mug with { Name = "" }, Later));
    }

    [Fact]
    public void ChangePrice_NewAmount_NextVersionWithPreviousPrice()
    {
        var decision = ProductDecisions.ChangePrice(Existing(), 12.99m, "EUR", Later);

        var change = Assert.IsType<Decision.Changed>(decision).Change;
        Assert.Equal(ProductChangeKind.PriceChanged, change.Kind);
        Assert.Equal((new Money(12.99m, Currency.EUR), 2L, Later), (change.Product.Price, change.Product.Version, change.Product.UpdatedAt));
        Assert.Equal(new Money(10m, Currency.EUR), change.PreviousPrice);
    }

    [Theory]
    [InlineData("10")]
    [InlineData("10.0")]
    [InlineData("10.000")]
    public void ChangePrice_SameAmountAnyScale_Unchanged(string amount)
    {
        var price = decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture);

        Assert.IsType<Decision.Unchanged>(ProductDecisions.ChangePrice(Existing(), price, "EUR", Later));
    }

    [Fact]
    public void ChangePrice_SameAmountOtherCurrency_IsAChange()
    {
        var change = Assert.IsType<Decision.Changed>(ProductDecisions.ChangePrice(Existing(), 10m, "USD", Later)).Change;

        Assert.Equal((Currency.USD, Currency.EUR), (change.Product.Price.Currency, change.PreviousPrice!.Currency));
    }

    [Fact]
    public void ChangePrice_Invalid_Rejected()
    {
        Assert.IsType<Decision.Rejected>(ProductDecisions.ChangePrice(Existing(), -1m, "EUR", Later));
    }
}
