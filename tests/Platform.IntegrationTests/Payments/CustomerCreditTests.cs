using System.Net;
using System.Net.Http.Json;
using static Platform.IntegrationTests.PaymentsService.ChargePaymentTests;

namespace Platform.IntegrationTests.PaymentsService;

public sealed class CustomerCreditTests(PaymentsFixture payments) : IClassFixture<PaymentsFixture>
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private Task<HttpResponseMessage> AwardAsync(string customerId, string orderId, int points) =>
        payments.Http.PostAsJsonAsync($"/customers/{customerId}/credit/awards", new { orderId, points }, Cancellation);

    private Task<HttpResponseMessage> RevokeAsync(string customerId, string orderId) =>
        payments.Http.PostAsJsonAsync($"/customers/{customerId}/credit/revocations", new { orderId }, Cancellation);

    private Task<CreditAccountDto?> AccountAsync(string customerId) =>
        payments.Http.GetFromJsonAsync<CreditAccountDto>($"/customers/{customerId}/credit", Cancellation);

    private Task<IReadOnlyList<System.Text.Json.JsonElement>> CreditEventsAsync(string customerId) =>
        payments.EventsAsync(data => data.TryGetProperty("customerId", out var id) && id.GetString() == customerId && data.TryGetProperty("points", out _));

    [Fact]
    public async Task Award_Repeated_AppliedOnceOneEvent()
    {
        var customerId = PaymentsFixture.NewId("customer");
        var orderId = PaymentsFixture.NewId("order");

        var first = await AwardAsync(customerId, orderId, 50);
        var again = await AwardAsync(customerId, orderId, 50);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(await first.Content.ReadFromJsonAsync<CreditOperationDto>(Cancellation), await again.Content.ReadFromJsonAsync<CreditOperationDto>(Cancellation));
        var account = await AccountAsync(customerId);
        Assert.Equal(50, account?.Balance);
        Assert.Equal(1, account?.Version);
        await payments.SettledEventsOfOrderAsync(orderId, "CreditAwarded");
        Assert.Single(await CreditEventsAsync(customerId));
    }

    [Fact]
    public async Task Award_SameOrderOtherPoints_422AndBalanceUnchanged()
    {
        var customerId = PaymentsFixture.NewId("customer");
        var orderId = PaymentsFixture.NewId("order");
        await AwardAsync(customerId, orderId, 50);

        await AssertProblemAsync(await AwardAsync(customerId, orderId, 70), HttpStatusCode.UnprocessableEntity);

        Assert.Equal(50, (await AccountAsync(customerId))?.Balance);
    }

    [Fact]
    public async Task Revoke_AfterAward_TakesBackExactlyThatOrderOnce()
    {
        var customerId = PaymentsFixture.NewId("customer");
        var kept = PaymentsFixture.NewId("order");
        var revoked = PaymentsFixture.NewId("order");
        await AwardAsync(customerId, kept, 20);
        await AwardAsync(customerId, revoked, 50);

        var first = await RevokeAsync(customerId, revoked);
        var again = await RevokeAsync(customerId, revoked);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var operation = await first.Content.ReadFromJsonAsync<CreditOperationDto>(Cancellation);
        Assert.Equal("Revoked", operation?.Status);
        Assert.Equal(20, operation?.Balance);
        Assert.Equal(operation, await again.Content.ReadFromJsonAsync<CreditOperationDto>(Cancellation));
        var events = await payments.SettledEventsOfOrderAsync(revoked, "CreditAwarded", "CreditRevoked");
        var revocation = Assert.Single(events, e => e.GetProperty("type").GetString() == "CreditRevoked");
        Assert.Equal(50, revocation.GetProperty("data").GetProperty("points").GetInt32());
    }

    [Fact]
    public async Task Revoke_BeforeAward_RecordedAndLateAwardNotApplied()
    {
        var customerId = PaymentsFixture.NewId("customer");
        var orderId = PaymentsFixture.NewId("order");

        var revoke = await RevokeAsync(customerId, orderId);
        var lateAward = await AwardAsync(customerId, orderId, 50);

        Assert.Equal("RevokedBeforeAward", (await revoke.Content.ReadFromJsonAsync<CreditOperationDto>(Cancellation))?.Status);
        var award = await lateAward.Content.ReadFromJsonAsync<CreditOperationDto>(Cancellation);
        Assert.Equal(HttpStatusCode.OK, lateAward.StatusCode);
        Assert.Equal("RevokedBeforeAward", award?.Status);
        Assert.Equal(0, award?.Balance);
        Assert.Equal(0, (await AccountAsync(customerId))?.Balance);
        var events = await payments.SettledEventsOfOrderAsync(orderId, "CreditRevoked");
        var only = Assert.Single(events);
        Assert.Equal(0, only.GetProperty("data").GetProperty("points").GetInt32());
    }

    [Fact]
    public async Task Award_ParallelForDifferentOrdersOfOneCustomer_NoLostUpdate()
    {
        var customerId = PaymentsFixture.NewId("customer");
        var orders = Enumerable.Range(1, 12).Select(i => (OrderId: PaymentsFixture.NewId("order"), Points: i)).ToList();

        var responses = await Task.WhenAll(orders.Select(o => AwardAsync(customerId, o.OrderId, o.Points)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var account = await AccountAsync(customerId);
        Assert.Equal(orders.Sum(o => o.Points), account?.Balance);
        Assert.Equal(orders.Count, account?.Version);
        Assert.Equal(orders.Count, account?.Orders.Count);
    }

    [Fact]
    public async Task Award_ParallelForOneOrder_AppliedOnce()
    {
        var customerId = PaymentsFixture.NewId("customer");
        var orderId = PaymentsFixture.NewId("order");

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => AwardAsync(customerId, orderId, 40)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var account = await AccountAsync(customerId);
        Assert.Equal(40, account?.Balance);
        Assert.Equal(1, account?.Version);
        Assert.Single(await payments.SettledEventsOfOrderAsync(orderId, "CreditAwarded"));
    }

    [Fact]
    public async Task GetCredit_UnknownCustomer_404WithETagOnKnown()
    {
        var customerId = PaymentsFixture.NewId("customer");

        await AssertProblemAsync(await payments.Http.GetAsync($"/customers/{customerId}/credit", Cancellation), HttpStatusCode.NotFound);
        await AwardAsync(customerId, PaymentsFixture.NewId("order"), 5);
        var known = await payments.Http.GetAsync($"/customers/{customerId}/credit", Cancellation);

        Assert.Equal(HttpStatusCode.OK, known.StatusCode);
        Assert.NotNull(known.Headers.ETag);
    }

    [Theory]
    [InlineData("""{"orderId":"ORDER","points":0}""")]
    [InlineData("""{"orderId":"ORDER","points":-10}""")]
    [InlineData("""{"orderId":"ORDER","points":1.5}""")]
    [InlineData("""{"orderId":"ORDER"}""")]
    [InlineData("""{"orderId":"bad id","points":10}""")]
    [InlineData("""{"points":10}""")]
    public async Task Award_InvalidPayload_400AndNoAccountWritten(string template)
    {
        var customerId = PaymentsFixture.NewId("customer");
        using var content = new StringContent(template.Replace("ORDER", PaymentsFixture.NewId("order"), StringComparison.Ordinal), System.Text.Encoding.UTF8, "application/json");

        await AssertProblemAsync(await payments.Http.PostAsync($"/customers/{customerId}/credit/awards", content, Cancellation), HttpStatusCode.BadRequest);

        Assert.Equal(HttpStatusCode.NotFound, (await payments.Http.GetAsync($"/customers/{customerId}/credit", Cancellation)).StatusCode);
    }

    [Fact]
    public async Task Credit_InvalidCustomerId_400()
    {
        await AssertProblemAsync(await AwardAsync("bad:id:|", PaymentsFixture.NewId("order"), 5), HttpStatusCode.BadRequest);
        await AssertProblemAsync(await RevokeAsync("bad:id:|", PaymentsFixture.NewId("order")), HttpStatusCode.BadRequest);
    }
}
