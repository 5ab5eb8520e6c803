using System.Text;
using Sidecar.PubSub;

namespace Sidecar.Tests.PubSub;

public sealed class DeliveryOutcomeTests
{
    [Theory]
    [InlineData(200, "", DeliveryOutcomeKind.Success)]
    [InlineData(204, "", DeliveryOutcomeKind.Success)]
    [InlineData(200, "ok", DeliveryOutcomeKind.Success)]
    [InlineData(200, "{\"other\":1}", DeliveryOutcomeKind.Success)]
    [InlineData(200, "{\"status\":\"SUCCESS\"}", DeliveryOutcomeKind.Success)]
    [InlineData(200, "{\"status\":\"\"}", DeliveryOutcomeKind.Success)]
    [InlineData(200, "{\"status\":42}", DeliveryOutcomeKind.Success)]
    [InlineData(200, "{\"status\":\"RETRY\"}", DeliveryOutcomeKind.Retry)]
    [InlineData(200, "{\"status\":\"success\"}", DeliveryOutcomeKind.Retry)]
    [InlineData(200, "{\"status\":\"drop\"}", DeliveryOutcomeKind.Retry)]
    [InlineData(200, "{\"status\":\"DROP\"}", DeliveryOutcomeKind.Drop)]
    [InlineData(404, "", DeliveryOutcomeKind.Drop)]
    [InlineData(415, "", DeliveryOutcomeKind.Retry)]
    [InlineData(500, "{\"status\":\"SUCCESS\"}", DeliveryOutcomeKind.Retry)]
    [InlineData(302, "", DeliveryOutcomeKind.Retry)]
    public void FromResponse_AppAnswer_InterpretedLikeDaprd(int status, string body, DeliveryOutcomeKind expected)
    {
        Assert.Equal(expected, DeliveryOutcome.FromResponse(status, Encoding.UTF8.GetBytes(body)).Kind);
    }

    [Fact]
    public void FromResponse_ErrorStatus_KeepsCodeForResiliencyMatching()
    {
        Assert.Equal(503, DeliveryOutcome.FromResponse(503, []).HttpStatus);
        Assert.Null(DeliveryOutcome.FromResponse(200, Encoding.UTF8.GetBytes("{\"status\":\"RETRY\"}")).HttpStatus);
    }
}
