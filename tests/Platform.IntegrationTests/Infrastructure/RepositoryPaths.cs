namespace Platform.IntegrationTests.Infrastructure;

/// <summary>Where the repository's own files are, so tests load the very components/ that `dapr run -f .` uses.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Components => Path.Combine(Root, "components");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Platform.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"Platform.sln not found above {AppContext.BaseDirectory}");
    }
}
