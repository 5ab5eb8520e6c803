using System.Collections.Concurrent;
using Dapr.Workflow;

namespace Sidecar.Tests.Workflow;

/// <summary>Counts activity executions per key, so tests can assert "at least once, never lost".</summary>
internal sealed class ExecutionLog
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

    public int Record(string key) => _counts.AddOrUpdate(key, 1, (_, n) => n + 1);

    public int Count(string key) => _counts.GetValueOrDefault(key);
}

internal sealed class EchoActivity(ExecutionLog log) : WorkflowActivity<string, string>
{
    public override Task<string> RunAsync(WorkflowActivityContext context, string input)
    {
        log.Record($"echo:{context.InstanceId}:{input}");
        return Task.FromResult($"<{input}>");
    }
}

/// <summary>Fails the first two attempts per instance, then succeeds: exercises the SDK-side retry policy.</summary>
internal sealed class FlakyActivity(ExecutionLog log) : WorkflowActivity<string, string>
{
    public override Task<string> RunAsync(WorkflowActivityContext context, string input)
    {
        var attempt = log.Record($"flaky:{context.InstanceId}");
        return attempt <= 2 ? throw new InvalidOperationException($"attempt {attempt} fails") : Task.FromResult($"ok after {attempt}");
    }
}

internal sealed class SequentialWorkflow : Workflow<string, string>
{
    public override async Task<string> RunAsync(WorkflowContext context, string input)
    {
        var a = await context.CallActivityAsync<string>(nameof(EchoActivity), input + "1");
        context.SetCustomStatus("after-first");
        var b = await context.CallActivityAsync<string>(nameof(EchoActivity), input + "2");
        var c = await context.CallActivityAsync<string>(nameof(EchoActivity), input + "3");
        return a + b + c;
    }
}

internal sealed class RetryWorkflow : Workflow<string, string>
{
    public override Task<string> RunAsync(WorkflowContext context, string input) =>
        context.CallActivityAsync<string>(nameof(FlakyActivity), input, new WorkflowTaskOptions(new WorkflowRetryPolicy(3, TimeSpan.FromMilliseconds(200))));
}

internal sealed class TimerWorkflow : Workflow<int, string>
{
    public override async Task<string> RunAsync(WorkflowContext context, int milliseconds)
    {
        var before = context.CurrentUtcDateTime;
        await context.CreateTimer(TimeSpan.FromMilliseconds(milliseconds));
        return (context.CurrentUtcDateTime - before).TotalMilliseconds >= milliseconds ? "fired" : "too early";
    }
}

internal sealed class ApprovalWorkflow : Workflow<int, string>
{
    /// <param name="timeoutSeconds">0 or less waits forever.</param>
    public override async Task<string> RunAsync(WorkflowContext context, int timeoutSeconds)
    {
        try
        {
            var decision = timeoutSeconds > 0
                ? await context.WaitForExternalEventAsync<string>("approve", TimeSpan.FromSeconds(timeoutSeconds))
                : await context.WaitForExternalEventAsync<string>("approve");
            return "decision:" + decision;
        }
        catch (TaskCanceledException)
        {
            return "timed out";
        }
    }
}

internal sealed class ParentWorkflow : Workflow<string, string>
{
    public override async Task<string> RunAsync(WorkflowContext context, string input)
    {
        var child = await context.CallChildWorkflowAsync<string>(nameof(SequentialWorkflow), input);
        return "parent(" + child + ")";
    }
}

internal sealed class CountingWorkflow : Workflow<int, int>
{
    public override async Task<int> RunAsync(WorkflowContext context, int n)
    {
        await context.CallActivityAsync<string>(nameof(EchoActivity), $"gen{n}");
        if (n < 3)
        {
            context.ContinueAsNew(n + 1);
            return -1;
        }

        return n;
    }
}

internal sealed class FanOutWorkflow : Workflow<int, int>
{
    public override async Task<int> RunAsync(WorkflowContext context, int width)
    {
        var tasks = Enumerable.Range(0, width).Select(i => context.CallActivityAsync<string>(nameof(EchoActivity), $"fan{i}"));
        var results = await Task.WhenAll(tasks);
        return results.Length;
    }
}

internal sealed class FailingWorkflow : Workflow<string, string>
{
    public override Task<string> RunAsync(WorkflowContext context, string input) =>
        throw new InvalidOperationException("workflow failed on purpose: " + input);
}

/// <summary>Takes long enough that a test can crash something while it runs.</summary>
internal sealed class SlowActivity(ExecutionLog log) : WorkflowActivity<string, string>
{
    public override async Task<string> RunAsync(WorkflowActivityContext context, string input)
    {
        log.Record($"slow-start:{context.InstanceId}");
        await Task.Delay(TimeSpan.FromMilliseconds(1500));
        log.Record($"slow-end:{context.InstanceId}");
        return input;
    }
}

/// <summary>activity → slow activity → durable timer → activity: a window for each crash scenario.</summary>
internal sealed class CrashableWorkflow : Workflow<string, string>
{
    public override async Task<string> RunAsync(WorkflowContext context, string input)
    {
        await context.CallActivityAsync<string>(nameof(EchoActivity), "a");
        await context.CallActivityAsync<string>(nameof(SlowActivity), "b");
        await context.CreateTimer(TimeSpan.FromSeconds(2));
        await context.CallActivityAsync<string>(nameof(EchoActivity), "c");
        return "done";
    }
}
