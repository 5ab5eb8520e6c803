namespace Inventory.UnitTests;

/// <summary>CONVENTIONS 2: the Domain folder does no I/O, checked on the compiled types' dependencies.</summary>
public sealed class DomainPurityTests
{
    [Fact]
    public void DomainTypes_ReferenceNoDaprAspNetCoreOrNpgsql()
    {
        var forbidden = new[] { "Dapr", "Microsoft.AspNetCore", "Npgsql" };
        var domainTypes = typeof(Domain.Reservation).Assembly.GetTypes().Where(t => t.Namespace == "Inventory.Domain").ToList();

        var offenders = domainTypes
            .SelectMany(t => t.GetFields(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic).Select(f => f.FieldType)
                .Concat(t.GetMethods().SelectMany(m => m.GetParameters().Select(p => p.ParameterType).Append(m.ReturnType))))
            .Where(type => type.Namespace is { } ns && forbidden.Any(f => ns.StartsWith(f, StringComparison.Ordinal)))
            .ToList();

        Assert.NotEmpty(domainTypes);
        Assert.Empty(offenders);
    }
}
