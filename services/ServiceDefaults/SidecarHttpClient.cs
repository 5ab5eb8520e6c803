using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ServiceDefaults;

/// <summary>A typed HttpClient for the sidecar's HTTP API, for the calls Dapr.Client has no method for (the Jobs API).</summary>
public static class SidecarHttpClient
{
    public static IServiceCollection AddSidecarHttpClient<TClient>(this IServiceCollection services)
        where TClient : class
    {
        services.AddHttpClient<TClient>((provider, client) =>
        {
            // daprd's contract: DAPR_HTTP_ENDPOINT, else DAPR_HTTP_PORT on localhost (3500 by default); DAPR_API_TOKEN if set.
            var configuration = provider.GetRequiredService<IConfiguration>();
            client.BaseAddress = new Uri(configuration["DAPR_HTTP_ENDPOINT"] is { Length: > 0 } endpoint
                ? endpoint
                : $"http://127.0.0.1:{configuration["DAPR_HTTP_PORT"] ?? "3500"}");
            if (configuration["DAPR_API_TOKEN"] is { Length: > 0 } token)
            {
                client.DefaultRequestHeaders.Add("dapr-api-token", token);
            }

            client.Timeout = TimeSpan.FromSeconds(10);
        });
        return services;
    }
}
