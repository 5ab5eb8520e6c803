using Sidecar.Resources;

namespace Sidecar.Tests.Resources;

/// <summary>A temporary resources folder: write YAML (and secret) files, then load them like the sidecar does.</summary>
internal sealed class ResourceFolder : IDisposable
{
    private readonly Dictionary<string, string> _environment = new(StringComparer.Ordinal);

    public string Path { get; } = Directory.CreateTempSubdirectory("resources-test-").FullName;

    public string Write(string fileName, string content)
    {
        var file = System.IO.Path.Combine(Path, fileName);
        File.WriteAllText(file, content);
        return file;
    }

    public ResourceFolder Env(string name, string value)
    {
        _environment[name] = value;
        return this;
    }

    public ResourceSet Load(string appId = "app", string? configFile = null) =>
        ResourceLoader.Load([Path], configFile, appId, name => _environment.GetValueOrDefault(name));

    /// <summary>Loads and expects a refusal; returns it for assertions on file and field.</summary>
    public ResourceException LoadFails(string appId = "app") => Assert.Throws<ResourceException>(() => Load(appId));

    public void Dispose() => Directory.Delete(Path, recursive: true);

    public static string Component(string name, string type, string version, params (string Name, string Value)[] metadata) =>
        Platform.Testing.ComponentYaml.Component(name, type, version, metadata);
}
