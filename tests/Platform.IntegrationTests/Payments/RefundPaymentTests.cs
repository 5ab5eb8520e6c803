using System.Net;
using System.Net.Http.Json;
using static Platform.IntegrationTests.PaymentsService.ChargePaymentTests;

namespace Platform.IntegrationTests.PaymentsService;

public sealed class RefundPaymentTests(PaymentsFixture payments) : IClassFixture<PaymentsFixture>
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private Task<HttpResponseMessage> RefundAsync(string orderId, string? ifMatch = null, string reason = "customer cancelled")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/payments/{orderId}/refund") { Content = JsonContent.Create(new { reason }) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return payments.Http.SendAsync(request, Cancellation);
    }

    [Fact]
    public async Task Refund_SucceededPayment_RefundedOnceAndReplayed200()
    {
        var orderId = PaymentsFixture.NewId("order");
        await payments.ChargeAsync(orderId, "customer-1", 30m);

        var first = await RefundAsync(orderId);
        var again = await RefundAsync(orderId, reason: "another reason");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var refunded = await first.Content.ReadFromJsonAsync<PaymentDto>(Cancellation);
        Assert.Equal("Refunded", refunded?.Status);
        Assert.Equal("customer cancelled", refunded?.RefundReason);
        Assert.Equal(3, refunded?.Version);
        Assert.Equal(refunded, await again.Content.ReadFromJsonAsync<PaymentDto>(Cancellation));
        Assert.Equal(1, (await payments.Http.GetFromJsonAsync<GatewayChargeDto>($"/gateway/charges/{orderId}", Cancellation))?.Refunds);
        var events = await payments.SettledEventsOfOrderAsync(orderId, "PaymentSucceeded", "PaymentRefunded");
        Assert.Single(events, e => e.GetProperty("type").GetString() == "PaymentRefunded");
    }

    [Fact]
    public async Task Refund_ConcurrentRequests_RefundedOnce()
    {
        var orderId = PaymentsFixture.NewId("order");
        await payments.ChargeAsync(orderId, "customer-1", 30m);

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => RefundAsync(orderId)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var events = await payments.SettledEventsOfOrderAsync(orderId, "PaymentRefunded");
        Assert.Single(events, e => e.GetProperty("type").GetString() == "PaymentRefunded");
    }

    [Fact]
    public async Task Refund_NoPayment_404()
    {
        var orderId = PaymentsFixture.NewId("order");

        await AssertProblemAsync(await RefundAsync(orderId), HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.NotFound, (await payments.Http.GetAsync($"/payments/{orderId}", Cancellation)).StatusCode);
    }

    [Fact]
    public async Task Refund_FailedPayment_409NothingToRefund()
    {
        var orderId = PaymentsFixture.NewId("order");
        await payments.ChargeAsync(orderId, PaymentsFixture.DeclinedCustomer, 30m);

        var problem = await AssertProblemAsync(await RefundAsync(orderId), HttpStatusCode.Conflict);

        Assert.Contains("nothing to refund", problem.Detail, StringComparison.Ordinal);
        Assert.Equal("Failed", (await payments.Http.GetFromJsonAsync<PaymentDto>($"/payments/{orderId}", Cancellation))?.Status);
    }

    [Fact]
    public async Task Refund_StaleIfMatch_412AndNotRefunded()
    {
        var orderId = PaymentsFixture.NewId("order");
        await payments.ChargeAsync(orderId, "customer-1", 30m);

        await AssertProblemAsync(await RefundAsync(orderId, ifMatch: $"\"{Guid.NewGuid()}\""), HttpStatusCode.PreconditionFailed);

        Assert.Equal("Succeeded", (await payments.Http.GetFromJsonAsync<PaymentDto>($"/payments/{orderId}", Cancellation))?.Status);
    }

    [Fact]
    public async Task Refund_CurrentIfMatch_200()
    {
        var orderId = PaymentsFixture.NewId("order");
        await payments.ChargeAsync(orderId, "customer-1", 30m);
        var read = await payments.Http.GetAsync($"/payments/{orderId}", Cancellation);

        var response = await RefundAsync(orderId, ifMatch: read.Headers.ETag?.ToString());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("""{"reason":""}""")]
    [InlineData("""{}""")]
    [InlineData("""{"reason":null}""")]
    public async Task Refund_InvalidPayload_400AndNotRefunded(string body)
    {
        var orderId = PaymentsFixture.NewId("order");
        await payments.ChargeAsync(orderId, "customer-1", 30m);
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");

        await AssertProblemAsync(await payments.Http.PostAsync($"/payments/{orderId}/refund", content, Cancellation), HttpStatusCode.BadRequest);

        Assert.Equal("Succeeded", (await payments.Http.GetFromJsonAsync<PaymentDto>($"/payments/{orderId}", Cancellation))?.Status);
    }
}
