namespace Orders.UnitTests;

/// <summary>CONVENTIONS 2: the Domain folder does no I/O, so it names no Dapr, ASP.NET Core or Npgsql type.</summary>
public sealed class DomainPurityTests
{
    [Fact]
    public void DomainFolder_AnySourceFile_NoInfrastructureUsings()
    {
        var domain = Path.Combine(RepositoryRoot(), "services", "Orders", "Domain");
        var files = Directory.GetFiles(domain, "*.cs");

        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var offending = File.ReadLines(file).Where(l => l.StartsWith("using ", StringComparison.Ordinal) &&
                (l.Contains("Dapr", StringComparison.Ordinal) || l.Contains("Microsoft.AspNetCore", StringComparison.Ordinal) || l.Contains("Npgsql", StringComparison.Ordinal)));
            Assert.True(!offending.Any(), $"{Path.GetFileName(file)}: {string.Join("; ", offending)}");
        }
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Platform.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Platform.sln not found");
    }
}
