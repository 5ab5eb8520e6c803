using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Dapr.Client;
using Microsoft.Extensions.Options;

namespace OrderSaga.Activities;

/// <summary>The answer of an invoked service: status and, for problems, the RFC 9457 title and detail.</summary>
public sealed record ServiceAnswer(string AppId, string Method, HttpStatusCode Status, string Body)
{
    public bool IsSuccess => (int)Status is >= 200 and < 300;

    /// <summary>The problem's detail (or title), else the raw body, for reasons and errors.</summary>
    public string Problem
    {
        get
        {
            try
            {
                using var json = JsonDocument.Parse(Body);
                var root = json.RootElement;
                return root.ValueKind == JsonValueKind.Object && (root.TryGetProperty("detail", out var detail) || root.TryGetProperty("title", out detail))
                    ? detail.GetString() ?? Body
                    : Body;
            }
            catch (JsonException)
            {
                return Body;
            }
        }
    }

    /// <summary>The answer as the error a step throws, so the workflow retry policy tries again.</summary>
    public HttpRequestException Error() => new($"{AppId} {Method} answered {(int)Status}: {Problem}", null, Status);

    public T Read<T>() => JsonSerializer.Deserialize<T>(Body, JsonSerializerOptions.Web)
        ?? throw new InvalidOperationException($"{AppId} {Method} answered an empty body");
}

/// <summary>
/// Service invocation through the sidecar (an HttpClient per target app from <c>DaprClient.CreateInvokeHttpClient</c>),
/// with the step's own deadline: activities get no cancellation token from the SDK.
/// </summary>
public sealed class ServiceCall(IConfiguration configuration, IOptions<OrderSagaOptions> options) : IDisposable
{
    private readonly ConcurrentDictionary<string, HttpClient> _clients = new(StringComparer.Ordinal);

    public async Task<ServiceAnswer> PostAsync(string appId, string method, object? body = null)
    {
        using var deadline = new CancellationTokenSource(options.Value.CallTimeout);
        var client = _clients.GetOrAdd(appId, id =>
        {
            var http = DaprClient.CreateInvokeHttpClient(id, configuration["DAPR_HTTP_ENDPOINT"], configuration["DAPR_API_TOKEN"]);
            http.Timeout = Timeout.InfiniteTimeSpan;
            return http;
        });
        using var content = body is null ? null : JsonContent.Create(body, options: JsonSerializerOptions.Web);
        using var response = await client.PostAsync(new Uri(method, UriKind.Relative), content, deadline.Token);
        return new ServiceAnswer(appId, "POST /" + method, response.StatusCode, await response.Content.ReadAsStringAsync(deadline.Token));
    }

    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }
    }
}
