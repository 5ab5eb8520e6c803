using System.Globalization;

namespace Saga.Benchmarks;

/// <summary>
/// CPU time used by this process and every process it started (the runner with its sidecars, the apps, Redis),
/// from /proc, grouped by program, and a PostgreSQL server's (it detaches from the process tree, so its postmaster is
/// named as a second root). CPU per saga is what bounds throughput on a machine shared with other load, where
/// wall-clock figures swing with the neighbours.
/// </summary>
internal static class ProcessCpu
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux

    /// <summary>CPU milliseconds per program (dll name or executable) of the process tree rooted here and at <paramref name="alsoRoot"/>.</summary>
    public static Dictionary<string, double> Snapshot(int? alsoRoot = null)
    {
        var processes = new List<(int Pid, int Parent, double CpuMs, string Name)>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                // Fields after the ")" of the command name: state ppid ... utime (12th) stime (13th).
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var cpuMs = (double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture)) * 1000 / TicksPerSecond;
                processes.Add((pid, int.Parse(fields[1], CultureInfo.InvariantCulture), cpuMs, Name(directory, stat)));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                // The process ended while being read.
            }
        }

        var inTree = new HashSet<int> { Environment.ProcessId };
        if (alsoRoot is { } root)
        {
            inTree.Add(root);
        }

        bool added;
        do
        {
            added = false;
            foreach (var process in processes.Where(p => !inTree.Contains(p.Pid) && inTree.Contains(p.Parent)))
            {
                added |= inTree.Add(process.Pid);
            }
        }
        while (added);

        return processes.Where(p => inTree.Contains(p.Pid))
            .GroupBy(p => p.Pid == Environment.ProcessId ? "load generator" : p.Name)
            .ToDictionary(g => g.Key, g => g.Sum(p => p.CpuMs), StringComparer.Ordinal);
    }

    /// <summary>"total 41.2 ms: Orders 9.1, postgres 8.0, …" per saga between two snapshots.</summary>
    public static string PerSaga(Dictionary<string, double> before, Dictionary<string, double> after, int sagas, string per = "saga", bool withPostgres = false)
    {
        var used = after.Select(a => (a.Key, Ms: (a.Value - before.GetValueOrDefault(a.Key)) / Math.Max(sagas, 1)))
            .Where(u => u.Ms >= 0.05)
            .OrderByDescending(u => u.Ms)
            .ToList();
        return FormattableString.Invariant($"CPU per {per} ({(withPostgres ? "with" : "without")} PostgreSQL) {used.Sum(u => u.Ms):0.0} ms: ")
            + string.Join(", ", used.Select(u => FormattableString.Invariant($"{u.Key} {u.Ms:0.0}")));
    }

    private static string Name(string directory, string stat)
    {
        var command = stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')];
        try
        {
            var arguments = File.ReadAllText(Path.Combine(directory, "cmdline")).Split('\0');
            var dll = arguments.FirstOrDefault(a => a.EndsWith(".dll", StringComparison.Ordinal));
            return dll is null ? command : Path.GetFileNameWithoutExtension(dll);
        }
        catch (IOException)
        {
            return command;
        }
    }
}
