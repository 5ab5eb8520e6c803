using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Sidecar.Runner;

namespace Platform.Testing;

/// <summary>Runs the Debian packages' server binaries for the fixtures.</summary>
public static class ProcessRunner
{
    public static bool IsRoot => Environment.UserName == "root";

    /// <summary>Runs a command to completion; throws with its output when it fails.</summary>
    public static async Task<string> RunAsync(string fileName, IEnumerable<string> arguments, string? runAsUser = null, TimeSpan? timeout = null)
    {
        var info = runAsUser is null
            ? new ProcessStartInfo(fileName)
            : new ProcessStartInfo("runuser", ["-u", runAsUser, "--", fileName]);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {fileName}");
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{fileName} {string.Join(' ', info.ArgumentList)} timed out:\n{output}");
        }

        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', info.ArgumentList)} exited with {process.ExitCode}:\n{output}");
        }

        return output.ToString();
    }

    /// <summary>A loopback port free now and never handed out before in this process (see <see cref="PortPicker"/>).</summary>
    public static int FreePort() => PortPicker.Any.Next();

    public static async Task WaitForPortAsync(int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    public static string MissingBinaryMessage(string what, string binary) =>
        $"{what} is needed by this test but '{binary}' was not found. Install it with `sudo bash scripts/install-test-deps.sh` " +
        "(Debian packages postgresql and redis-server), or point the tests at a running server with " +
        "PLATFORM_TEST_POSTGRES (a connection string) / PLATFORM_TEST_REDIS (host:port).";
}
