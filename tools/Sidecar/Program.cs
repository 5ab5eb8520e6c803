using Sidecar.Hosting;
using Sidecar.Resources;
using Sidecar.Runner;

// A Dapr-compatible sidecar for machines without daprd: same flags, same APIs, same resource YAML.
// `run -f dapr.yaml` is the multi-app runner, like `dapr run -f .`.
if (RunCommand.Matches(args))
{
    return await RunCommand.RunAsync(args);
}

try
{
    var options = SidecarCommandLine.Parse(args, Environment.GetEnvironmentVariable) with { CrashExitsProcess = true };
    await using var host = await SidecarHost.StartAsync(options);
    Console.WriteLine($"sidecar for '{options.AppId}': gRPC on {host.Options.GrpcPort}, HTTP on {host.Options.HttpPort}");
    await host.Stopped;
    if (host.Failure is { } failure)
    {
        // daprd exits 1 when start-up fails after it began serving; a script or supervisor must see it.
        Console.Error.WriteLine($"error: the sidecar stopped: {failure.Message}");
        return 1;
    }

    return 0;
}
catch (SidecarUsageException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    Console.Error.WriteLine(SidecarCommandLine.Usage);
    return 2;
}
catch (ResourceException ex)
{
    Console.Error.WriteLine($"error loading resources: {ex.Message}");
    return 1;
}
catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
{
    // Durable sidecar state (the jobs file) that cannot be read: a message, not a crash dump.
    Console.Error.WriteLine($"error: {ex.Message}");
    return 1;
}
