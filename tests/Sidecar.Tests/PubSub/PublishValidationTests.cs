using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Platform.Testing;
using static Sidecar.Tests.PubSub.PubSubTestBed;

namespace Sidecar.Tests.PubSub;

/// <summary>daprd's publish validation seen on the wire (the SDK checks some arguments before sending, so this uses the raw gRPC client).</summary>
public sealed class PublishValidationTests
{
    [Theory]
    [InlineData("", "orders", StatusCode.InvalidArgument)]
    [InlineData("missing", "orders", StatusCode.InvalidArgument)]
    [InlineData(PubSubName, "", StatusCode.InvalidArgument)]
    [InlineData(PubSubName, "secret", StatusCode.PermissionDenied)]
    public async Task PublishEvent_InvalidRequest_AnswersDaprStatusCode(string pubsub, string topic, StatusCode expected)
    {
        await using var sidecar = await TestSidecar.StartAsync(Unique("validator"),
            ComponentYaml.InMemoryPubSub(PubSubName, ("publishingScopes", "other-app=secret"), ("protectedTopics", "secret")));
        using var channel = GrpcChannel.ForAddress(sidecar.GrpcEndpoint);
        var client = new Dapr.Client.Autogen.Grpc.v1.Dapr.DaprClient(channel);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await client.PublishEventAsync(
            new PublishEventRequest { PubsubName = pubsub, Topic = topic, Data = ByteString.CopyFromUtf8("{}"), DataContentType = "application/json" },
            cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(expected, error.StatusCode);
    }

    [Fact]
    public async Task PublishEvent_BadTtl_AnswersInvalidArgument()
    {
        await using var sidecar = await TestSidecar.StartAsync(Unique("ttl-validator"), ComponentYaml.InMemoryPubSub(PubSubName));
        using var channel = GrpcChannel.ForAddress(sidecar.GrpcEndpoint);
        var client = new Dapr.Client.Autogen.Grpc.v1.Dapr.DaprClient(channel);
        var request = new PublishEventRequest { PubsubName = PubSubName, Topic = "t", Data = ByteString.CopyFromUtf8("{}"), DataContentType = "application/json" };
        request.Metadata["ttlInSeconds"] = "later";

        var error = await Assert.ThrowsAsync<RpcException>(async () => await client.PublishEventAsync(request, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Theory]
    [InlineData("", "1")]
    [InlineData("1", "1")]
    public async Task BulkPublish_MissingOrDuplicateEntryId_AnswersInvalidArgumentOnBothMethodNames(string firstId, string secondId)
    {
        await using var sidecar = await TestSidecar.StartAsync(Unique("bulk-validator"), ComponentYaml.InMemoryPubSub(PubSubName));
        using var channel = GrpcChannel.ForAddress(sidecar.GrpcEndpoint);
        var client = new Dapr.Client.Autogen.Grpc.v1.Dapr.DaprClient(channel);
        var request = new BulkPublishRequest { PubsubName = PubSubName, Topic = "t" };
        request.Entries.Add(new BulkPublishRequestEntry { EntryId = firstId, Event = ByteString.CopyFromUtf8("{}"), ContentType = "application/json" });
        request.Entries.Add(new BulkPublishRequestEntry { EntryId = secondId, Event = ByteString.CopyFromUtf8("{}"), ContentType = "application/json" });

        var stable = await Assert.ThrowsAsync<RpcException>(async () => await client.BulkPublishEventAsync(request, cancellationToken: TestContext.Current.CancellationToken));
        // Obsolete in the proto, but the SDK falls back to it when the stable name is Unimplemented (contract §1.4).
#pragma warning disable CS0612
        var alpha = await Assert.ThrowsAsync<RpcException>(async () => await client.BulkPublishEventAlpha1Async(request, cancellationToken: TestContext.Current.CancellationToken));
#pragma warning restore CS0612

        Assert.Equal(StatusCode.InvalidArgument, stable.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, alpha.StatusCode);
    }
}
