using System.Reflection;

namespace Platform.IntegrationTests.Architecture;

/// <summary>
/// CONVENTIONS 15: every name a service's DaprNames.cs holds exists in components/ or dapr.yaml, and the
/// components it names are ones its own sidecar loads (scopes), so a typo or a lost YAML file fails here, not at run time.
/// </summary>
public sealed class DaprNamesTests
{
    public static TheoryData<string> Services => ["Catalog", "Orders", "Payments", "Inventory", "OrderSaga", "OrderQuery", "Gateway"];

    [Theory]
    [MemberData(nameof(Services))]
    public void DaprNames_EveryNameIsDeclaredInTheResources(string service)
    {
        var resources = ResourceModel.Load();
        var names = Assembly.Load(service).GetType($"{service}.DaprNames", throwOnError: true)!
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .ToDictionary(f => f.Name, f => (string)f.GetRawConstantValue()!);
        var appId = names["AppId"];
        Assert.Contains(appId, resources.AppIds);
        var visible = resources.ComponentsVisibleTo(appId).ToHashSet(StringComparer.Ordinal);

        var unknown = names
            .Where(n => !visible.Contains(n.Value) && !resources.Topics.Contains(n.Value) && !resources.AppIds.Contains(n.Value))
            .Select(n => $"{service}.DaprNames.{n.Key} = \"{n.Value}\"")
            .ToList();
        var invisibleComponents = names
            .Where(n => n.Key.EndsWith("Store", StringComparison.Ordinal) || n.Key.EndsWith("PubSub", StringComparison.Ordinal) || n.Key.EndsWith("Replica", StringComparison.Ordinal))
            .Where(n => !visible.Contains(n.Value))
            .Select(n => $"{service}.DaprNames.{n.Key} = \"{n.Value}\" is not a component {appId} can load")
            .ToList();

        Assert.True(unknown.Count == 0, "names missing from components/ and dapr.yaml:\n" + string.Join('\n', unknown));
        Assert.True(invisibleComponents.Count == 0, string.Join('\n', invisibleComponents));
    }
}
