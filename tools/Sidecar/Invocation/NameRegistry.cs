using System.Text.Json;
using Sidecar.Hosting;

namespace Sidecar.Invocation;

/// <summary>
/// Name resolution for service invocation: each sidecar of a run writes <c>&lt;appId&gt;.json</c> with its HTTP
/// address into a shared folder (the runner's registry), and looks other app ids up there. It replaces
/// daprd's mDNS for a single machine.
/// </summary>
public sealed class NameRegistry(SidecarOptions options)
{
    public Uri? Resolve(string appId)
    {
        if (string.Equals(appId, options.AppId, StringComparison.Ordinal))
        {
            return new Uri($"http://127.0.0.1:{options.HttpPort}/");
        }

        if (options.RegistryDirectory is null)
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
            return entry is null ? null : new Uri($"http://127.0.0.1:{entry.HttpPort}/");
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
        var entry = new RegistryEntry(options.AppId, options.HttpPort, options.GrpcPort, options.AppPort, Environment.ProcessId);
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

    private sealed record RegistryEntry(string AppId, int HttpPort, int GrpcPort, int? AppPort, int ProcessId);
}
