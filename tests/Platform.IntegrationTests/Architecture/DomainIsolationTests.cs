using System.Reflection;
using System.Text.RegularExpressions;
using Platform.IntegrationTests.Infrastructure;

namespace Platform.IntegrationTests.Architecture;

/// <summary>
/// CONVENTIONS 2: each service's Domain/ folder is I/O-free. Checked twice: no source file there names Dapr,
/// ASP.NET Core, Npgsql or Redis, and no Domain type's signature uses a type from those assemblies.
/// </summary>
public sealed partial class DomainIsolationTests
{
    private static readonly string[] ForbiddenAssemblyPrefixes = ["Dapr", "Microsoft.AspNetCore", "Npgsql", "StackExchange.Redis", "Grpc"];

    public static TheoryData<string> Services => ["Catalog", "Orders", "Payments", "Inventory"];

    [Theory]
    [MemberData(nameof(Services))]
    public void DomainSources_NameNoInfrastructure(string service)
    {
        var domain = Path.Combine(RepositoryPaths.Root, "services", service, "Domain");
        Assert.True(Directory.Exists(domain), $"services/{service}/Domain/ holds the service's pure rules");

        var offenders = Directory.GetFiles(domain, "*.cs", SearchOption.AllDirectories)
            .SelectMany(file => File.ReadLines(file).Select((line, index) => (file, line, index)))
            .Where(x => Infrastructure().IsMatch(x.line))
            .Select(x => $"{Path.GetRelativePath(RepositoryPaths.Root, x.file)}:{x.index + 1}: {x.line.Trim()}")
            .ToList();

        Assert.True(offenders.Count == 0, "Domain code names infrastructure:\n" + string.Join('\n', offenders));
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void DomainTypes_UseNoInfrastructureTypes(string service)
    {
        var assembly = Assembly.Load(service);
        var domainTypes = assembly.GetTypes().Where(t => t.Namespace?.StartsWith($"{service}.Domain", StringComparison.Ordinal) == true).ToList();
        Assert.NotEmpty(domainTypes);

        var offenders = domainTypes
            .SelectMany(type => SignatureTypes(type).Select(used => (type, used)))
            .Where(x => ForbiddenAssemblyPrefixes.Any(prefix => x.used.Assembly.GetName().Name!.StartsWith(prefix, StringComparison.Ordinal)))
            .Select(x => $"{x.type.FullName} uses {x.used.FullName}")
            .Distinct()
            .ToList();

        Assert.True(offenders.Count == 0, "Domain types depend on infrastructure:\n" + string.Join('\n', offenders));
    }

    private static IEnumerable<Type> SignatureTypes(Type type)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var direct = type.GetFields(all).Select(f => f.FieldType)
            .Concat(type.GetProperties(all).Select(p => p.PropertyType))
            .Concat(type.GetMethods(all).SelectMany(m => m.GetParameters().Select(p => p.ParameterType).Append(m.ReturnType)))
            .Concat(type.GetConstructors(all).SelectMany(c => c.GetParameters().Select(p => p.ParameterType)))
            .Concat(type.GetInterfaces())
            .Append(type.BaseType ?? typeof(object));
        return direct.SelectMany(Expand);
    }

    private static IEnumerable<Type> Expand(Type type)
    {
        var element = type.HasElementType ? type.GetElementType()! : type;
        yield return element;
        if (element.IsGenericType)
        {
            foreach (var argument in element.GetGenericArguments().SelectMany(Expand))
            {
                yield return argument;
            }
        }
    }

    // A using directive or a qualified name (Dapr.Client…); a comment that merely mentions Dapr is fine.
    [GeneratedRegex(@"^\s*(global\s+)?using\s+(static\s+)?(Dapr|Microsoft\.AspNetCore|Npgsql|StackExchange\.Redis|Grpc)\b|\b(Dapr|Microsoft\.AspNetCore|Npgsql|StackExchange\.Redis|Grpc)\.[A-Z]")]
    private static partial Regex Infrastructure();
}
