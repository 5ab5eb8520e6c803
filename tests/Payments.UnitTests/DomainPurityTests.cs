namespace Payments.UnitTests;

/// <summary>CONVENTIONS 2: the Domain folder does no I/O, so it names no Dapr, ASP.NET Core or Npgsql type.</summary>
public sealed class DomainPurityTests
{
    [Fact]
    public void Domain_UsesNoInfrastructureNamespaces()
    {
        var domainTypes = typeof(Payments.Domain.Payment).Assembly.GetTypes().Where(t => t.Namespace == "Payments.Domain").ToList();
        Assert.NotEmpty(domainTypes);

        var referenced = domainTypes
            .SelectMany(t => t.GetMembers(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.DeclaredOnly))
            .SelectMany(TypesOf)
            .Select(t => t.Namespace ?? string.Empty)
            .Distinct()
            .ToList();

        Assert.DoesNotContain(referenced, ns => ns.StartsWith("Dapr", StringComparison.Ordinal)
            || ns.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)
            || ns.StartsWith("Npgsql", StringComparison.Ordinal));
    }

    private static IEnumerable<Type> TypesOf(System.Reflection.MemberInfo member) => member switch
    {
        System.Reflection.FieldInfo field => [field.FieldType],
        System.Reflection.PropertyInfo property => [property.PropertyType],
        System.Reflection.MethodBase method => method.GetParameters().Select(p => p.ParameterType)
            .Concat(method is System.Reflection.MethodInfo info ? [info.ReturnType] : [])
            .Concat(method.GetMethodBody()?.LocalVariables.Select(l => l.LocalType) ?? []),
        _ => [],
    };
}
