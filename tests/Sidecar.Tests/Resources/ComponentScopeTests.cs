using Platform.Testing;
using Sidecar.Resources;

namespace Sidecar.Tests.Resources;

/// <summary>A component whose scopes name other apps is not loaded for this one, as in daprd.</summary>
public sealed class ComponentScopeTests : IDisposable
{
    private readonly ResourceFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static string Scoped(string name, string type, string scope, params (string Name, string Value)[] metadata) =>
        ComponentYaml.Component(name, type, "v1", metadata, [scope]);

    [Fact]
    public void AppliesTo_ScopesListOtherApps_IsFalseForThisApp()
    {
        var scoped = new ComponentResource("c", "bindings.cron", "v1", ComponentMetadata.Empty, ["orders"], "c.yaml");
        var unscoped = scoped with { Scopes = [] };

        Assert.False(scoped.AppliesTo("payments"));
        Assert.True(scoped.AppliesTo("orders"));
        Assert.True(unscoped.AppliesTo("payments"));
    }

    [Fact]
    public void Load_ComponentScopedToOtherApp_IsLeftOutOfTheResourceSet()
    {
        _folder.Write("a.yaml", Scoped("mine", "secretstores.local.env", "app"));
        _folder.Write("b.yaml", Scoped("theirs", "secretstores.local.env", "other"));

        var set = _folder.Load("app");

        Assert.Equal(["mine"], set.Components.Select(c => c.Name));
    }

    [Fact]
    public void Load_SameNameScopedToDifferentApps_IsNoDuplicate()
    {
        _folder.Write("a.yaml", Scoped("tick", "bindings.cron", "app", ("schedule", "@every 1m")));
        _folder.Write("b.yaml", Scoped("tick", "bindings.cron", "other", ("schedule", "@every 5m")));

        var tick = Assert.Single(_folder.Load("app").Components);

        Assert.Equal("@every 1m", tick.Metadata.Get("schedule"));
    }

    [Fact]
    public void Load_OutOfScopeComponentWithUnresolvableSecret_DoesNotStopThisApp()
    {
        _folder.Write("b.yaml", "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: theirs\nspec:\n  type: state.redis\n  version: v1\n  metadata:\n  - name: redisHost\n    secretKeyRef:\n      name: host\nauth:\n  secretStore: nowhere\nscopes:\n- other\n");

        Assert.Empty(_folder.Load("app").Components);
    }

    [Fact]
    public async Task GetMetadata_ComponentScopedToOtherApp_ListsOnlyInScopeComponents()
    {
        var yaml = Scoped("my-secrets", "secretstores.local.env", "scope-app")
            + Scoped("their-secrets", "secretstores.local.env", "someone-else")
            + ComponentYaml.Component("shared-tick", "bindings.cron", "v1", [("schedule", "@every 1h")])
            + Scoped("their-tick", "bindings.cron", "someone-else", ("schedule", "@every 1h"));
        await using var sidecar = await TestSidecar.StartAsync("scope-app", yaml);

        var metadata = await sidecar.Client.GetMetadataAsync(TestContext.Current.CancellationToken);

        Assert.Equal(["my-secrets", "shared-tick"], metadata.Components.Select(c => c.Name).Order(StringComparer.Ordinal));
    }
}
