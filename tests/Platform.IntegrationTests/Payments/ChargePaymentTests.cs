using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Mvc;

namespace Platform.IntegrationTests.PaymentsService;

public sealed class ChargePaymentTests(PaymentsFixture payments) : IClassFixture<PaymentsFixture>
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Charge_NewOrder_201SucceededAndReadableWithETag()
    {
        var orderId = PaymentsFixture.NewId("order");

        var response = await payments.ChargeAsync(orderId, "customer-1", 49.90m);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal($"/payments/{orderId}", response.Headers.Location?.OriginalString);
        var payment = await response.Content.ReadFromJsonAsync<PaymentDto>(Cancellation);
        Assert.NotNull(payment);
        Assert.Equal("Succeeded", payment.Status);
        Assert.Equal(49.90m, payment.Amount);
        Assert.Equal(2, payment.Version);

        var read = await payments.Http.GetAsync($"/payments/{orderId}", Cancellation);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.NotNull(read.Headers.ETag);
        Assert.Equal(payment, await read.Content.ReadFromJsonAsync<PaymentDto>(Cancellation));
    }

    [Fact]
    public async Task Charge_Repeated_200SameBodyAndGatewayChargedOnce()
    {
        var orderId = PaymentsFixture.NewId("order");
        var first = await payments.ChargeAsync(orderId, "customer-1", 10m, "USD");

        var again = await payments.ChargeAsync(orderId, "customer-1", 10.00m, "USD");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(await first.Content.ReadFromJsonAsync<PaymentDto>(Cancellation), await again.Content.ReadFromJsonAsync<PaymentDto>(Cancellation));
        var gateway = await payments.Http.GetFromJsonAsync<GatewayChargeDto>($"/gateway/charges/{orderId}", Cancellation);
        Assert.Equal(1, gateway?.Requests);
        Assert.Equal(1, gateway?.Charges);
    }

    [Fact]
    public async Task Charge_ConcurrentForOneOrder_GatewayChargedOnceOneCreatedOneEvent()
    {
        var orderId = PaymentsFixture.NewId("order");

        // The slow customer keeps the gateway busy 300 ms, so the requests overlap around the pending payment.
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => payments.ChargeAsync(orderId, PaymentsFixture.SlowCustomer, 25m)));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"answered {r.StatusCode}"));
        var bodies = await Task.WhenAll(responses.Select(r => r.Content.ReadFromJsonAsync<PaymentDto>(Cancellation)));
        Assert.Single(bodies.Distinct());
        var gateway = await payments.Http.GetFromJsonAsync<GatewayChargeDto>($"/gateway/charges/{orderId}", Cancellation);
        Assert.Equal(1, gateway?.Charges);
        var events = await payments.SettledEventsOfOrderAsync(orderId, "PaymentSucceeded");
        Assert.Single(events);
    }

    [Fact]
    public async Task Charge_SameOrderDifferentAmountOrCustomer_422()
    {
        var orderId = PaymentsFixture.NewId("order");
        await payments.ChargeAsync(orderId, "customer-1", 10m);

        var otherAmount = await payments.ChargeAsync(orderId, "customer-1", 11m);
        var otherCustomer = await payments.ChargeAsync(orderId, "customer-2", 10m);

        await AssertProblemAsync(otherAmount, HttpStatusCode.UnprocessableEntity);
        await AssertProblemAsync(otherCustomer, HttpStatusCode.UnprocessableEntity);
        var payment = await payments.Http.GetFromJsonAsync<PaymentDto>($"/payments/{orderId}", Cancellation);
        Assert.Equal("customer-1", payment?.CustomerId);
        Assert.Equal(10m, payment?.Amount);
    }

    [Fact]
    public async Task Charge_AmountAboveGatewayLimit_402FailedRecordedAndNotRetriedAgainstGateway()
    {
        var orderId = PaymentsFixture.NewId("order");

        var first = await payments.ChargeAsync(orderId, "customer-1", PaymentsFixture.DeclineAmountAbove + 0.01m);
        var again = await payments.ChargeAsync(orderId, "customer-1", PaymentsFixture.DeclineAmountAbove + 0.01m);

        var problem = await AssertProblemAsync(first, HttpStatusCode.PaymentRequired);
        Assert.Contains("exceeds the gateway limit", problem.Detail, StringComparison.Ordinal);
        Assert.Equal(problem.Detail, (await AssertProblemAsync(again, HttpStatusCode.PaymentRequired)).Detail);
        var payment = await payments.Http.GetFromJsonAsync<PaymentDto>($"/payments/{orderId}", Cancellation);
        Assert.Equal("Failed", payment?.Status);
        Assert.Equal(problem.Detail, payment?.FailureReason);
        var gateway = await payments.Http.GetFromJsonAsync<GatewayChargeDto>($"/gateway/charges/{orderId}", Cancellation);
        Assert.Equal(1, gateway?.Requests);
        Assert.Equal("Declined", gateway?.Outcome);
        Assert.Single(await payments.SettledEventsOfOrderAsync(orderId, "PaymentFailed"));
    }

    [Fact]
    public async Task Charge_DeclinedCustomer_402WithReason()
    {
        var orderId = PaymentsFixture.NewId("order");

        var response = await payments.ChargeAsync(orderId, PaymentsFixture.DeclinedCustomer, 1m);

        var problem = await AssertProblemAsync(response, HttpStatusCode.PaymentRequired);
        Assert.Contains(PaymentsFixture.DeclinedCustomer, problem.Detail, StringComparison.Ordinal);
        Assert.Equal("Failed", (await payments.Http.GetFromJsonAsync<PaymentDto>($"/payments/{orderId}", Cancellation))?.Status);
    }

    public static TheoryData<string> InvalidCharges => new()
    {
        """{"orderId":"ORDER","customerId":"c1","amount":0,"currency":"EUR"}""",
        """{"orderId":"ORDER","customerId":"c1","amount":-5,"currency":"EUR"}""",
        """{"orderId":"ORDER","customerId":"c1","amount":10.001,"currency":"EUR"}""",
        """{"orderId":"ORDER","customerId":"c1","amount":1000.5,"currency":"JPY"}""",
        """{"orderId":"ORDER","customerId":"c1","amount":10,"currency":"CHF"}""",
        """{"orderId":"ORDER","customerId":"c1","amount":10}""",
        """{"orderId":"ORDER","customerId":"c1","currency":"EUR"}""",
        """{"orderId":"ORDER","customerId":null,"amount":10,"currency":"EUR"}""",
        """{"orderId":"ORDER","customerId":"a||b","amount":10,"currency":"EUR"}""",
        """{"orderId":"ORDER","customerId":"c1","amount":"ten","currency":"EUR"}""",
        """{"orderId":"ORDER",""",
    };

    [Theory]
    [MemberData(nameof(InvalidCharges))]
    public async Task Charge_InvalidPayload_400ProblemAndNothingWritten(string template)
    {
        var orderId = PaymentsFixture.NewId("order");
        using var content = new StringContent(template.Replace("ORDER", orderId, StringComparison.Ordinal), Encoding.UTF8, "application/json");

        var response = await payments.Http.PostAsync("/payments", content, Cancellation);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.NotFound, (await payments.Http.GetAsync($"/payments/{orderId}", Cancellation)).StatusCode);
    }

    [Fact]
    public async Task Charge_InvalidOrderId_400()
    {
        var response = await payments.ChargeAsync("bad id with spaces", "customer-1", 10m);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Charge_OversizedBody_413Problem()
    {
        var orderId = PaymentsFixture.NewId("order");
        var padding = new string('x', 100 * 1024);
        using var content = new StringContent($$"""{"orderId":"{{orderId}}","customerId":"c1","amount":10,"currency":"EUR","padding":"{{padding}}"}""", Encoding.UTF8, "application/json");

        var response = await payments.Http.PostAsync("/payments", content, Cancellation);

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(HttpStatusCode.NotFound, (await payments.Http.GetAsync($"/payments/{orderId}", Cancellation)).StatusCode);
    }

    [Fact]
    public async Task GetPayment_UnknownOrder_404Problem()
    {
        var response = await payments.Http.GetAsync($"/payments/{PaymentsFixture.NewId("order")}", Cancellation);

        await AssertProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task GetPayment_InvalidOrderId_400Problem()
    {
        var response = await payments.Http.GetAsync("/payments/bad%7C%7Cid", Cancellation);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task GatewayDiagnostics_NeverChargedOrder_404Problem()
    {
        var response = await payments.Http.GetAsync($"/gateway/charges/{PaymentsFixture.NewId("order")}", Cancellation);

        await AssertProblemAsync(response, HttpStatusCode.NotFound);
    }

    internal static async Task<ProblemDetails> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>(Cancellation);
        Assert.NotNull(problem);
        Assert.Equal((int)expected, problem.Status);
        return problem;
    }
}
