using Sidecar.Resources;

namespace Sidecar.Tests.Resources;

/// <summary>Subscription, Resiliency and Configuration documents checked against their CRDs and daprd's load-time rules.</summary>
public sealed class ResourceShapeTests : IDisposable
{
    private const string ResiliencyHead = "apiVersion: dapr.io/v1alpha1\nkind: Resiliency\nmetadata:\n  name: res\n";

    private readonly ResourceFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Load_SubscriptionV2WithRoutes_LoadsRulesAndDefault()
    {
        _folder.Write("s.yaml", """
            apiVersion: dapr.io/v2alpha1
            kind: Subscription
            metadata:
              name: orders
            spec:
              pubsubname: pubsub
              topic: orders
              routes:
                rules:
                - match: event.type == "created"
                  path: /created
                default: /orders
              deadLetterTopic: orders-dlq
              bulkSubscribe:
                enabled: true
                maxMessagesCount: 10
            scopes:
            - app
            """);

        var subscription = Assert.Single(_folder.Load().Subscriptions);

        Assert.Equal("/orders", subscription.DefaultPath);
        Assert.Equal(new SubscriptionRule("event.type == \"created\"", "/created"), Assert.Single(subscription.Rules));
        Assert.Equal("orders-dlq", subscription.DeadLetterTopic);
    }

    [Fact]
    public void Load_SubscriptionV2WithoutRoutes_FailsOnSpecRoutes()
    {
        var file = _folder.Write("s.yaml", "apiVersion: dapr.io/v2alpha1\nkind: Subscription\nmetadata:\n  name: s\nspec:\n  pubsubname: p\n  topic: t\n  route: /orders\n");

        var error = _folder.LoadFails();

        Assert.Equal(file, error.File);
        Assert.Equal("spec.routes", error.Field);
        Assert.Contains("v1alpha1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SubscriptionV1WithRoutesInsteadOfRoute_FailsOnSpecRoute()
    {
        _folder.Write("s.yaml", "apiVersion: dapr.io/v1alpha1\nkind: Subscription\nmetadata:\n  name: s\nspec:\n  pubsubname: p\n  topic: t\n  routes:\n    default: /orders\n");

        var error = _folder.LoadFails();

        Assert.Equal("spec.route", error.Field);
    }

    [Fact]
    public void Load_SubscriptionV1WithRoute_LoadsItAsDefaultPath()
    {
        _folder.Write("s.yaml", "apiVersion: dapr.io/v1alpha1\nkind: Subscription\nmetadata:\n  name: s\nspec:\n  pubsubname: p\n  topic: t\n  route: /orders\n");

        Assert.Equal("/orders", Assert.Single(_folder.Load().Subscriptions).DefaultPath);
    }

    [Theory]
    [InlineData("  routes:\n    default: /x\n", "spec.topic")]
    [InlineData("  topic: t\n  routes:\n    rules:\n    - path: /x\n", "spec.routes.rules[0].match")]
    [InlineData("  topic: t\n  routes:\n    default: /x\n  bulkSubscribe:\n    enabled: maybe\n", "spec.bulkSubscribe.enabled")]
    [InlineData("  topic: t\n  routes:\n    default: /x\n  bulkSubscribe:\n    enabled: true\n    maxMessagesCount: many\n", "spec.bulkSubscribe.maxMessagesCount")]
    [InlineData("  topic: t\n  routes:\n    default: /x\n  metadata:\n    rawPayload:\n      nested: x\n", "spec.metadata.rawPayload")]
    public void Load_BadSubscriptionField_NamesIt(string specBody, string field)
    {
        _folder.Write("s.yaml", "apiVersion: dapr.io/v2alpha1\nkind: Subscription\nmetadata:\n  name: s\nspec:\n  pubsubname: p\n" + specBody);

        var error = _folder.LoadFails();

        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void Load_SubscriptionScopedToOtherApp_IsNotLoaded()
    {
        _folder.Write("s.yaml", "apiVersion: dapr.io/v1alpha1\nkind: Subscription\nmetadata:\n  name: s\nspec:\n  pubsubname: p\n  topic: t\n  route: /x\nscopes:\n- other\n");

        Assert.Empty(_folder.Load("app").Subscriptions);
        Assert.Single(_folder.Load("other").Subscriptions);
    }

    [Fact]
    public void Load_ValidResiliency_ResolvesTargetPolicies()
    {
        _folder.Write("r.yaml", ResiliencyHead + """
            spec:
              policies:
                retries:
                  three:
                    policy: constant
                    duration: 100ms
                    maxRetries: 2
                    matching:
                      httpStatusCodes: "429,500-599"
                timeouts:
                  short: 2s
                circuitBreakers:
                  cb:
                    maxRequests: 1
                    timeout: 30s
                    trip: consecutiveFailures >= 3
              targets:
                apps:
                  callee:
                    retry: three
                    timeout: short
                    circuitBreaker: cb
            """);

        var resiliency = Assert.Single(_folder.Load().Resiliencies);
        var target = resiliency.Apps["callee"];

        Assert.Equal(2, target.Retry!.MaxRetries);
        Assert.Equal(TimeSpan.FromMilliseconds(100), target.Retry.Duration);
        Assert.Equal([(429, 429), (500, 599)], target.Retry.Matching.HttpStatusCodes);
        Assert.Equal(TimeSpan.FromSeconds(2), target.Timeout);
        Assert.Equal("consecutiveFailures >= 3", target.CircuitBreaker!.Trip);
    }

    [Theory]
    [InlineData("  policies: {}\n  targets:\n    apps:\n      callee:\n        retry: missing\n", "spec.targets.apps.callee.retry", "not defined")]
    [InlineData("  policies: {}\n  targets:\n    components:\n      pubsub:\n        inbound:\n          timeout: nope\n", "spec.targets.components.pubsub.inbound.timeout", "not defined")]
    [InlineData("  policies: {}\n  targets:\n    actors:\n      Cart:\n        circuitBreaker: cb\n", "spec.targets.actors.Cart.circuitBreaker", "not defined")]
    [InlineData("  policies:\n    timeouts:\n      t: 5 seconds\n  targets: {}\n", "spec.policies.timeouts.t", "not a duration")]
    [InlineData("  policies:\n    timeouts:\n      t: -5s\n  targets: {}\n", "spec.policies.timeouts.t", "negative")]
    [InlineData("  policies:\n    retries:\n      r:\n        duration: soon\n  targets: {}\n", "spec.policies.retries.r.duration", "not a duration")]
    [InlineData("  policies:\n    retries:\n      r:\n        policy: linear\n  targets: {}\n", "spec.policies.retries.r.policy", "not a retry policy")]
    [InlineData("  policies:\n    retries:\n      r:\n        maxRetries: -2\n  targets: {}\n", "spec.policies.retries.r.maxRetries", "-1")]
    [InlineData("  policies:\n    retries:\n      r:\n        matching:\n          httpStatusCodes: \"600\"\n  targets: {}\n", "spec.policies.retries.r.matching.httpStatusCodes", "not a valid code")]
    [InlineData("  policies:\n    retries:\n      r:\n        matching:\n          httpStatusCodes: \"599-500\"\n  targets: {}\n", "spec.policies.retries.r.matching.httpStatusCodes", "not a valid code")]
    [InlineData("  policies:\n    retries:\n      r:\n        matching:\n          httpStatusCodes: \"5xx\"\n  targets: {}\n", "spec.policies.retries.r.matching.httpStatusCodes", "not an integer")]
    [InlineData("  policies:\n    retries:\n      r:\n        matching:\n          gRPCStatusCodes: \"17\"\n  targets: {}\n", "spec.policies.retries.r.matching.gRPCStatusCodes", "not a valid code")]
    [InlineData("  policies:\n    circuitBreakers:\n      cb:\n        trip: failures > 3\n  targets: {}\n", "spec.policies.circuitBreakers.cb.trip", "unknown count")]
    [InlineData("  policies:\n    circuitBreakers:\n      cb:\n        maxRequests: lots\n  targets: {}\n", "spec.policies.circuitBreakers.cb.maxRequests", "not an integer")]
    [InlineData("  targets: {}\n", "spec.policies", "required")]
    [InlineData("  policies: {}\n", "spec.targets", "required")]
    public void Load_BadResiliency_NamesFileAndField(string spec, string field, string message)
    {
        var file = _folder.Write("r.yaml", ResiliencyHead + "spec:\n" + spec);

        var error = _folder.LoadFails();

        Assert.Equal(file, error.File);
        Assert.Equal(field, error.Field);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Configuration_ValidSpecLoads()
    {
        var config = _folder.Write("config.yaml.txt", """
            apiVersion: dapr.io/v1alpha1
            kind: Configuration
            metadata:
              name: appconfig
            spec:
              tracing:
                samplingRate: "1"
                zipkin:
                  endpointAddress: http://localhost:9411/api/v2/spans
              features:
              - name: SchedulerReminders
                enabled: true
            """);

        var set = ResourceLoader.Load([], config, "app", _ => null);

        Assert.Equal("appconfig", set.Configuration!.Name);
        Assert.True(set.Configuration.Spec.ContainsKey("tracing"));
    }

    [Theory]
    [InlineData("  features:\n  - name: X\n", "spec.features[0].enabled")]
    [InlineData("  features:\n  - name: X\n    enabled: sure\n", "spec.features[0].enabled")]
    [InlineData("  tracing:\n    stdout: true\n", "spec.tracing.samplingRate")]
    [InlineData("  tracing:\n    samplingRate: all\n", "spec.tracing.samplingRate")]
    [InlineData("  metric:\n    enabled: 1\n", "spec.metric.enabled")]
    [InlineData("  secrets:\n    scopes:\n    - defaultAccess: deny\n", "spec.secrets.scopes[0].storeName")]
    [InlineData("  accessControl:\n    defaultAction: block\n", "spec.accessControl.defaultAction")]
    [InlineData("  nameResolution:\n    version: v1\n", "spec.nameResolution.component")]
    public void Load_BadConfiguration_NamesFileAndField(string spec, string field)
    {
        var config = _folder.Write("config.yaml.txt", "apiVersion: dapr.io/v1alpha1\nkind: Configuration\nmetadata:\n  name: c\nspec:\n" + spec);

        var error = Assert.Throws<ResourceException>(() => ResourceLoader.Load([], config, "app", _ => null));

        Assert.Equal(config, error.File);
        Assert.Equal(field, error.Field);
    }
}
