namespace Catalog.UnitTests;

/// <summary>CONVENTIONS 2: the Domain folder stays I/O-free.</summary>
public sealed class DomainPurityTests
{
    [Fact]
    public void DomainTypes_ReferenceNoDaprAspNetCoreOrNpgsql()
    {
        var forbidden = new[] { "Dapr", "Microsoft.AspNetCore", "Npgsql" };
        var domainTypes = typeof(Catalog.Domain.Product).Assembly.GetTypes().Where(t => t.Namespace == "Catalog.Domain").ToList();

        var offending = domainTypes
            .SelectMany(t => t.GetFields(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic).Select(f => f.FieldType)
                .Concat(t.GetMethods().SelectMany(m => m.GetParameters().Select(p => p.ParameterType).Append(m.ReturnType))))
            .Where(type => type.Namespace is { } ns && forbidden.Any(f => ns.StartsWith(f, StringComparison.Ordinal)))
            .ToList();

        Assert.NotEmpty(domainTypes);
        Assert.Empty(offending);
    }

    [Fact]
    public void DomainSources_HaveNoForbiddenUsings()
    {
        var domain = Path.Combine(FindRoot(), "services", "Catalog", "Domain");
        var usings = Directory.GetFiles(domain, "*.cs").SelectMany(File.ReadAllLines)
            .Where(l => l.StartsWith("using ", StringComparison.Ordinal))
            .Where(l => l.Contains("Dapr", StringComparison.Ordinal) || l.Contains("Microsoft.AspNetCore", StringComparison.Ordinal) || l.Contains("Npgsql", StringComparison.Ordinal));

        Assert.Empty(usings);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Platform.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Platform.sln not found");
    }
}
