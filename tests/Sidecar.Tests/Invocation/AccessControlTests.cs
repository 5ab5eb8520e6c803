// CS0618: InvokeMethodWithResponseAsync is obsolete in the SDK, but apps still call it; testing that path is the point.
#pragma warning disable CS0618
using System.Net;
using Sidecar.Invocation;
using Sidecar.Resources;
using Sidecar.Tests.Resources;

namespace Sidecar.Tests.Invocation;

/// <summary>The callee's Configuration accessControl decides which callers may invoke which methods.</summary>
public sealed class AccessControlTests : IDisposable
{
    private readonly ResourceFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private AccessControlSpec? Acl(string accessControl)
    {
        var config = _folder.Write("config.yaml.txt", "apiVersion: dapr.io/v1alpha1\nkind: Configuration\nmetadata:\n  name: c\nspec:\n  accessControl:\n" + accessControl);
        return ResourceLoader.Load([], config, "callee", _ => null).Configuration!.AccessControl;
    }

    private const string Policies = """
            defaultAction: deny
            policies:
            - appId: caller
              defaultAction: deny
              namespace: default
              operations:
              - name: /orders/*
                httpVerb: [GET]
                action: allow
              - name: /admin/**
                httpVerb: ["*"]
                action: deny
              - name: /reports/**
                action: allow
              - name: /echo/**
                action: allow
            - appId: trusted
              defaultAction: allow
        """;

    [Theory]
    [InlineData("caller", "orders/42", "GET", true)]
    [InlineData("caller", "orders/42", "POST", false)]
    [InlineData("caller", "orders/42/items", "GET", false)]
    [InlineData("caller", "admin/users/1", "GET", false)]
    [InlineData("caller", "reports/2026/q1", "DELETE", true)]
    [InlineData("caller", "reports", "GET", false)]
    [InlineData("caller", "other", "GET", false)]
    [InlineData("trusted", "anything/at/all", "PUT", true)]
    [InlineData("stranger", "orders/42", "GET", false)]
    [InlineData(null, "orders/42", "GET", false)]
    public void IsAllowed_PolicyRules_DecideByCallerOperationAndVerb(string? caller, string method, string verb, bool allowed) =>
        Assert.Equal(allowed, AccessControl.IsAllowed(Acl(Policies), caller, "default", method, verb));

    [Fact]
    public void IsAllowed_CallerFromOtherNamespace_GetsGlobalDefault()
    {
        var acl = Acl("    defaultAction: deny\n    policies:\n    - appId: caller\n      defaultAction: allow\n      namespace: prod\n");

        Assert.False(AccessControl.IsAllowed(acl, "caller", "default", "x", "GET"));
        Assert.True(AccessControl.IsAllowed(acl, "caller", "prod", "x", "GET"));
    }

    [Fact]
    public void IsAllowed_NoAclOrEmptyAcl_AllowsEveryone()
    {
        Assert.True(AccessControl.IsAllowed(null, "anyone", "default", "x", "GET"));
        Assert.True(AccessControl.IsAllowed(Acl("    trustDomain: public\n"), "anyone", "default", "x", "GET"));
    }

    [Fact]
    public void IsAllowed_PoliciesWithoutGlobalDefault_DenyUnlistedCallers()
    {
        var acl = Acl("    policies:\n    - appId: caller\n      defaultAction: allow\n");

        Assert.True(AccessControl.IsAllowed(acl, "caller", "default", "x", "GET"));
        Assert.False(AccessControl.IsAllowed(acl, "stranger", "default", "x", "GET"));
    }

    [Fact]
    public void Load_OperationWithoutAction_FailsOnTheField()
    {
        var config = _folder.Write("config.yaml.txt", "apiVersion: dapr.io/v1alpha1\nkind: Configuration\nmetadata:\n  name: c\nspec:\n  accessControl:\n    policies:\n    - appId: a\n      operations:\n      - name: /x\n");

        var error = Assert.Throws<ResourceException>(() => ResourceLoader.Load([], config, "callee", _ => null));

        Assert.Equal("spec.accessControl.policies[0].operations[0].action", error.Field);
    }

    [Fact]
    public async Task Invoke_CalleeAclDenies_CallerGets403AndAppIsNotReached()
    {
        var config = _folder.Write("config.yaml.txt", "apiVersion: dapr.io/v1alpha1\nkind: Configuration\nmetadata:\n  name: c\nspec:\n  accessControl:\n" + Policies);
        await using var rig = await InvocationRig.StartAsync(configureCallee: o => o with { ConfigFile = config });
        var denied = rig.Caller.Client.CreateInvokeMethodRequest(HttpMethod.Get, "callee", "attempts/denied");
        var allowed = rig.Caller.Client.CreateInvokeMethodRequest(HttpMethod.Get, "callee", "echo/open");

        using var deniedResponse = await rig.Caller.Client.InvokeMethodWithResponseAsync(denied, TestContext.Current.CancellationToken);
        using var allowedResponse = await rig.Caller.Client.InvokeMethodWithResponseAsync(allowed, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, deniedResponse.StatusCode);
        Assert.Contains("ERR_DIRECT_INVOKE", await deniedResponse.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(0, rig.AttemptsOf("denied"));
        Assert.Equal(HttpStatusCode.OK, allowedResponse.StatusCode);
    }
}
