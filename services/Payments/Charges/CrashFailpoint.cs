using System.Diagnostics;

namespace Payments.Charges;

/// <summary>
/// Failpoint F1 of BENCHMARKS-AND-FAULTS §3, for crash tests: the process dies (SIGKILL, exit 137) right after a
/// charge's outcome is committed and before the caller hears it — the window where an at-least-once retry meets
/// a charge that already happened, and that random kills almost never hit. Off unless the environment variable
/// <see cref="Variable"/> names an arming file; the failpoint fires only while that file exists and deletes it
/// before dying, so it fires once, when the test chooses, and the restarted process runs normally.
/// </summary>
public static class CrashFailpoint
{
    public const string Variable = "PAYMENTS_FAILPOINT_CRASH_AFTER_CHARGE";

    private static readonly string? ArmingFile = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } path ? path : null;

    public static void AfterChargeRecorded()
    {
        if (ArmingFile is null || !File.Exists(ArmingFile))
        {
            return;
        }

        // Disarmed before dying, so the restarted process (same environment) does not crash again.
        File.Delete(ArmingFile);

        // kill -9 of ourselves: no graceful shutdown, no answer to the request in flight.
        using var self = Process.GetCurrentProcess();
        self.Kill();
    }
}
