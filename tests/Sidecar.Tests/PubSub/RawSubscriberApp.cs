using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Platform.Testing;

namespace Sidecar.Tests.PubSub;

/// <summary>A request the sidecar made to the app, exactly as it arrived (no UseCloudEvents unwrapping).</summary>
public sealed record ReceivedRequest(string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public JsonElement CloudEvent => JsonDocument.Parse(Body).RootElement;

    public string Header(string name) => Headers.TryGetValue(name, out var value) ? value : throw new KeyNotFoundException($"no header {name}; got {string.Join(", ", Headers.Keys)}");
}

/// <summary>
/// An app without Dapr.AspNetCore, to see deliveries byte for byte: it serves a fixed /dapr/subscribe answer
/// and records every POST, answering with <c>answer</c> (default 200 with an empty body).
/// </summary>
public sealed class RawSubscriberApp : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedRequest> _received = new();
    private readonly ConcurrentQueue<ReceivedRequest> _subscribeCalls = new();

    private RawSubscriberApp(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public IReadOnlyList<ReceivedRequest> Received => [.. _received];

    public IReadOnlyList<ReceivedRequest> SubscribeCalls => [.. _subscribeCalls];

    public IReadOnlyList<ReceivedRequest> On(string path) => [.. _received.Where(r => r.Path == path)];

    /// <param name="subscriptions">The /dapr/subscribe answer; null answers 404.</param>
    public static Task<RawSubscriberApp> StartAsync(string? subscriptions, Func<ReceivedRequest, (int Status, string Body)>? answer = null) =>
        StartAsync(subscriptions, answer is null ? null : received => Task.FromResult(answer(received)));

    /// <param name="answer">An answer that may take its time without holding a thread (a slow handler).</param>
    public static async Task<RawSubscriberApp> StartAsync(string? subscriptions, Func<ReceivedRequest, Task<(int Status, string Body)>>? answer)
    {
        var port = ProcessRunner.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.ListenLocalhost(port));
        var app = builder.Build();
        var subscriber = new RawSubscriberApp(app, port);
        app.MapGet("/dapr/subscribe", (HttpRequest request) =>
        {
            subscriber._subscribeCalls.Enqueue(new ReceivedRequest(request.Path, Headers(request), []));
            return subscriptions is null ? Results.NotFound() : Results.Text(subscriptions, "application/json");
        });
        app.MapPost("/{**path}", async (HttpRequest request) =>
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer);
            var received = new ReceivedRequest(request.Path, Headers(request), buffer.ToArray());
            subscriber._received.Enqueue(received);
            var (status, body) = answer is null ? (200, "") : await answer(received);
            return Results.Text(body, "application/json", Encoding.UTF8, status);
        });
        await app.StartAsync();
        return subscriber;
    }

    /// <summary>A /dapr/subscribe entry in the SDK's camelCase shape.</summary>
    public static string Subscription(string pubsub, string topic, string route, string? deadLetterTopic = null, string? rulesJson = null, string? metadataJson = null)
    {
        var routes = rulesJson is null ? $"\"route\":\"{route}\"" : $"\"routes\":{{\"rules\":{rulesJson},\"default\":\"{route}\"}}";
        var dlq = deadLetterTopic is null ? "" : $",\"deadLetterTopic\":\"{deadLetterTopic}\"";
        var metadata = metadataJson is null ? "" : $",\"metadata\":{metadataJson}";
        return $"{{\"topic\":\"{topic}\",\"pubsubName\":\"{pubsub}\",{routes}{dlq}{metadata}}}";
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static Dictionary<string, string> Headers(HttpRequest request) =>
        request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
}
