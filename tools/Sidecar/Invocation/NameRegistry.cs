using System.Security.Cryptography;
using System.Text.Json;
using Sidecar.Hosting;

namespace Sidecar.Invocation;

/// <summary>
/// Name resolution for service invocation: each sidecar of a run writes <c>&lt;appId&gt;.json</c> with its HTTP
/// address into a shared folder (the runner's registry), and looks other app ids up there. It replaces
/// daprd's mDNS for a single machine.
/// </summary>
/// <remarks>
/// Each sidecar also publishes a random hop token in its entry. The sidecar-to-sidecar path has no
/// DAPR_API_TOKEN (daprd uses an mTLS channel there), so without the hop token any local process could reach
/// an app through it; with it, only a process that can read the registry folder can.
/// </remarks>
public sealed class NameRegistry(SidecarOptions options)
{
    public const string HopTokenHeader = "x-sidecar-hop-token";

    /// <summary>The token other sidecars must send on the sidecar-to-sidecar path of this one.</summary>
    public string HopToken { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));

    public SidecarAddress? Resolve(string appId)
    {
        if (string.Equals(appId, options.AppId, StringComparison.Ordinal))
        {
            return new SidecarAddress(new Uri($"http://127.0.0.1:{options.HttpPort}/"), HopToken);
        }

        // The app id becomes a file name: anything that could leave the registry folder names no app.
        if (options.RegistryDirectory is null || appId.Length == 0 || appId.Contains("..", StringComparison.Ordinal) || appId.IndexOfAny(['/', '\\', '\0']) >= 0)
        {
            return null;
        }

        var file = Path.Combine(options.RegistryDirectory, appId + ".json");
        if (!File.Exists(file))
        {
            return null;
        }

        try
        {
            var entry = JsonSerializer.Deserialize<RegistryEntry>(File.ReadAllText(file), JsonSerializerOptions.Web);
            return entry is null ? null : new SidecarAddress(new Uri($"http://127.0.0.1:{entry.HttpPort}/"), entry.HopToken ?? "");
        }
        catch (Exception ex) when (ex is IOException or JsonException)
        {
            // A file being rewritten by a restarting sidecar: treat as not (yet) resolvable.
            return null;
        }
    }

    public void Register()
    {
        if (options.RegistryDirectory is null)
        {
            return;
        }

        Directory.CreateDirectory(options.RegistryDirectory);
        var entry = new RegistryEntry(options.AppId, options.HttpPort, options.GrpcPort, options.AppPort, Environment.ProcessId, HopToken);
        var file = Path.Combine(options.RegistryDirectory, options.AppId + ".json");
        var temporary = file + "." + Environment.ProcessId + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(entry, JsonSerializerOptions.Web));
        File.Move(temporary, file, overwrite: true);
    }

    public void Unregister()
    {
        if (options.RegistryDirectory is null)
        {
            return;
        }

        var file = Path.Combine(options.RegistryDirectory, options.AppId + ".json");
        try
        {
            if (File.Exists(file) && JsonSerializer.Deserialize<RegistryEntry>(File.ReadAllText(file), JsonSerializerOptions.Web)?.ProcessId == Environment.ProcessId)
            {
                File.Delete(file);
            }
        }
        catch (Exception ex) when (ex is IOException or JsonException)
        {
            // Best effort: a stale entry only makes invocations of a stopped app fail, as they would anyway.
        }
    }

    /// <summary>Whether a request on the sidecar-to-sidecar path carries this sidecar's hop token.</summary>
    public bool IsHopAuthorized(string? token) =>
        token is not null && CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(token), System.Text.Encoding.ASCII.GetBytes(HopToken));

    private sealed record RegistryEntry(string AppId, int HttpPort, int GrpcPort, int? AppPort, int ProcessId, string? HopToken);
}

/// <summary>Where another sidecar listens, and the token its sidecar-to-sidecar path demands.</summary>
public sealed record SidecarAddress(Uri BaseAddress, string HopToken);
