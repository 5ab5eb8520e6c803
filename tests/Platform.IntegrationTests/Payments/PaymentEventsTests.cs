using System.Net.Http.Json;
using System.Text.Json;

namespace Platform.IntegrationTests.PaymentsService;

/// <summary>The events on the Redis stream "payments": CloudEvent type, content type and the exact JSON fields of the contract.</summary>
public sealed class PaymentEventsTests(PaymentsFixture payments) : IClassFixture<PaymentsFixture>
{
    private static readonly string[] PaymentFields = ["eventId", "orderId", "customerId", "paymentId", "amount", "currency", "version", "occurredAt"];
    private static readonly string[] CreditFields = ["eventId", "customerId", "orderId", "points", "balance", "version", "occurredAt"];

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PaymentSucceededAndRefunded_OnStream_ContractFields()
    {
        var orderId = PaymentsFixture.NewId("order");
        var payment = await (await payments.ChargeAsync(orderId, "customer-7", 12.34m, "GBP")).Content.ReadFromJsonAsync<PaymentDto>(Cancellation);
        await payments.Http.PostAsJsonAsync($"/payments/{orderId}/refund", new { reason = "changed mind" }, Cancellation);

        var events = await payments.SettledEventsOfOrderAsync(orderId, "PaymentSucceeded", "PaymentRefunded");

        var succeeded = AssertEnvelope(Assert.Single(events, e => e.GetProperty("type").GetString() == "PaymentSucceeded"));
        AssertFields(succeeded, PaymentFields);
        Assert.Equal($"{payment!.PaymentId}:2", succeeded.GetProperty("eventId").GetString());
        Assert.Equal(orderId, succeeded.GetProperty("orderId").GetString());
        Assert.Equal("customer-7", succeeded.GetProperty("customerId").GetString());
        Assert.Equal(JsonValueKind.Number, succeeded.GetProperty("amount").ValueKind);
        Assert.Equal(12.34m, succeeded.GetProperty("amount").GetDecimal());
        Assert.Equal("GBP", succeeded.GetProperty("currency").GetString());
        Assert.Equal(2, succeeded.GetProperty("version").GetInt64());
        Assert.True(succeeded.GetProperty("occurredAt").TryGetDateTimeOffset(out _));

        var refunded = AssertEnvelope(Assert.Single(events, e => e.GetProperty("type").GetString() == "PaymentRefunded"));
        AssertFields(refunded, [.. PaymentFields, "reason"]);
        Assert.Equal($"{payment.PaymentId}:3", refunded.GetProperty("eventId").GetString());
        Assert.Equal("changed mind", refunded.GetProperty("reason").GetString());
        Assert.Equal(3, refunded.GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task PaymentFailed_OnStream_ContractFieldsWithReason()
    {
        var orderId = PaymentsFixture.NewId("order");
        await payments.ChargeAsync(orderId, PaymentsFixture.DeclinedCustomer, 5m, "JPY");

        var events = await payments.SettledEventsOfOrderAsync(orderId, "PaymentFailed");

        var failed = AssertEnvelope(Assert.Single(events));
        AssertFields(failed, [.. PaymentFields, "reason"]);
        Assert.Contains(PaymentsFixture.DeclinedCustomer, failed.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(5m, failed.GetProperty("amount").GetDecimal());
        Assert.Equal("JPY", failed.GetProperty("currency").GetString());
    }

    [Fact]
    public async Task CreditAwardedAndRevoked_OnStream_ContractFields()
    {
        var customerId = PaymentsFixture.NewId("customer");
        var orderId = PaymentsFixture.NewId("order");
        await payments.Http.PostAsJsonAsync($"/customers/{customerId}/credit/awards", new { orderId, points = 30 }, Cancellation);
        await payments.Http.PostAsJsonAsync($"/customers/{customerId}/credit/revocations", new { orderId }, Cancellation);

        var events = await payments.SettledEventsOfOrderAsync(orderId, "CreditAwarded", "CreditRevoked");

        var awarded = AssertEnvelope(Assert.Single(events, e => e.GetProperty("type").GetString() == "CreditAwarded"));
        AssertFields(awarded, CreditFields);
        Assert.Equal($"credit:{customerId}:1", awarded.GetProperty("eventId").GetString());
        Assert.Equal(30, awarded.GetProperty("points").GetInt32());
        Assert.Equal(30, awarded.GetProperty("balance").GetInt64());
        Assert.Equal(1, awarded.GetProperty("version").GetInt64());

        var revoked = AssertEnvelope(Assert.Single(events, e => e.GetProperty("type").GetString() == "CreditRevoked"));
        AssertFields(revoked, CreditFields);
        Assert.Equal($"credit:{customerId}:2", revoked.GetProperty("eventId").GetString());
        Assert.Equal(30, revoked.GetProperty("points").GetInt32());
        Assert.Equal(0, revoked.GetProperty("balance").GetInt64());
        Assert.Equal(2, revoked.GetProperty("version").GetInt64());
    }

    private static JsonElement AssertEnvelope(JsonElement cloudEvent)
    {
        Assert.Equal("application/json", cloudEvent.GetProperty("datacontenttype").GetString());
        Assert.Equal("payments", cloudEvent.GetProperty("source").GetString());
        Assert.Equal("payments", cloudEvent.GetProperty("topic").GetString());
        Assert.StartsWith("outbox-", cloudEvent.GetProperty("id").GetString(), StringComparison.Ordinal);
        return cloudEvent.GetProperty("data");
    }

    private static void AssertFields(JsonElement data, string[] expected) =>
        Assert.Equal(expected.Order(StringComparer.Ordinal), data.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
}
