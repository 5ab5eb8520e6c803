using Orders.Domain;

namespace Orders.UnitTests;

public sealed class FingerprintTests
{
    private static PlaceOrder Command(SagaMode mode = SagaMode.Orchestration, params (string Sku, int Quantity)[] lines) =>
        new("cust-1", [.. lines.Select(l => new RequestedLine(l.Sku, l.Quantity))], mode);

    [Fact]
    public void Fingerprint_SameCommand_SameHash() =>
        Assert.Equal(Command(lines: [("A", 1), ("B", 2)]).Fingerprint(), Command(lines: [("A", 1), ("B", 2)]).Fingerprint());

    [Fact]
    public void Fingerprint_LinesReordered_SameHash() =>
        Assert.Equal(Command(lines: [("A", 1), ("B", 2)]).Fingerprint(), Command(lines: [("B", 2), ("A", 1)]).Fingerprint());

    [Fact]
    public void Fingerprint_QuantitySkuCustomerOrSagaModeDiffers_OtherHash()
    {
        var baseline = Command(lines: [("A", 1)]).Fingerprint();

        Assert.NotEqual(baseline, Command(lines: [("A", 2)]).Fingerprint());
        Assert.NotEqual(baseline, Command(lines: [("B", 1)]).Fingerprint());
        Assert.NotEqual(baseline, Command(SagaMode.Choreography, ("A", 1)).Fingerprint());
        Assert.NotEqual(baseline, (Command(lines: [("A", 1)]) with { CustomerId = "cust-2" }).Fingerprint());
    }

    [Fact]
    public void Fingerprint_Always_Sha256Hex() =>
        Assert.Matches("^[0-9a-f]{64}$", Command(lines: [("A", 1)]).Fingerprint());

    [Fact]
    public void Validate_DuplicateSku_Refused()
    {
        var errors = Command(lines: [("A", 1), ("A", 2)]).Validate(maxLines: 10, maxQuantity: 100);

        Assert.Contains("lines.sku", errors.Keys);
    }

    [Fact]
    public void Validate_TooManyLines_Refused()
    {
        var errors = Command(lines: [("A", 1), ("B", 1), ("C", 1)]).Validate(maxLines: 2, maxQuantity: 100);

        Assert.Contains("lines", errors.Keys);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(101)]
    public void Validate_QuantityOutOfRange_Refused(int quantity) =>
        Assert.Contains("lines.quantity", Command(lines: [("A", quantity)]).Validate(maxLines: 10, maxQuantity: 100).Keys);

    [Fact]
    public void Validate_NoLines_Refused() =>
        Assert.Contains("lines", Command().Validate(maxLines: 10, maxQuantity: 100).Keys);

    [Fact]
    public void Validate_GoodCommand_NoErrors() =>
        Assert.Empty(Command(lines: [("A", 1), ("B", 100)]).Validate(maxLines: 2, maxQuantity: 100));
}
