using System.Net.Sockets;
using Sidecar.Api;

namespace Sidecar.Hosting;

/// <summary>The sidecar's HTTP connection to its app (deliveries, invocations, discovery).</summary>
public sealed class AppChannel(SidecarOptions options, HttpClient http)
{
    public const string HttpClientName = "app-channel";

    public bool HasApp => options.AppPort is not null;

    public Uri BaseAddress { get; } = new($"http://{options.AppChannelAddress}:{options.AppPort ?? 0}/");

    /// <summary>Polls the app port every 500 ms until it accepts connections, like daprd (no timeout).</summary>
    public async Task WaitForAppAsync(CancellationToken cancellationToken)
    {
        if (options.AppPort is not { } port)
        {
            return;
        }

        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(options.AppChannelAddress, port, cancellationToken);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
            }
        }
    }

    /// <summary>Sends a request to the app, adding the app token when APP_API_TOKEN is set.</summary>
    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        if (request.RequestUri is { IsAbsoluteUri: false } relative)
        {
            request.RequestUri = new Uri(BaseAddress, relative);
        }

        if (options.AppApiToken is { } token)
        {
            request.Headers.Remove(ApiTokens.HeaderName);
            request.Headers.TryAddWithoutValidation(ApiTokens.HeaderName, token);
        }

        return http.SendAsync(request, completion, cancellationToken);
    }
}
