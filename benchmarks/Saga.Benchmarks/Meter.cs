using System.Globalization;
using Npgsql;
using Platform.Testing;

namespace Saga.Benchmarks;

/// <summary>What one point costs per saga: the CPU of every process (PostgreSQL's server included) and the backend operations.</summary>
internal sealed record MeterReading(
    Dictionary<string, double> CpuMs, Dictionary<string, long> Transactions, Dictionary<string, long> RowsWritten, Dictionary<string, long> RedisCommands, long ObserverQueries);

/// <summary>
/// Reads the counters a saga moves: CPU time per program (<see cref="ProcessCpu"/>), PostgreSQL transactions per
/// database (pg_stat_database, which backends flush about once a second; a statement outside a transaction counts as
/// one, and so does the DISCARD ALL that Npgsql's pool sends when a connection is reused: the monolith's one
/// transaction per saga reads 2.0), the rows they insert, update and delete, and Redis commands (INFO commandstats,
/// commands run by scripts included).
/// The observer's own queries to orders' database are subtracted: they measure, they are not the saga.
/// </summary>
internal sealed class Meter(PostgresServer? postgres = null, RedisServer? redis = null, Func<long>? observerQueries = null)
{
    public async Task<MeterReading> ReadAsync()
    {
        var (transactions, rowsWritten) = await PostgresCountsAsync();
        return new(ProcessCpu.Snapshot(postgres?.ServerProcessId), transactions, rowsWritten, await RedisCommandsAsync(), observerQueries?.Invoke() ?? 0);
    }

    public string PerSaga(MeterReading before, MeterReading after, int sagas)
    {
        var text = ProcessCpu.PerSaga(before.CpuMs, after.CpuMs, sagas, withPostgres: postgres?.ServerProcessId is not null);
        if (after.Transactions.Count > 0)
        {
            var transactions = Deltas(before.Transactions, after.Transactions, sagas);
            if (transactions.ContainsKey("orders"))
            {
                transactions["orders"] -= (after.ObserverQueries - before.ObserverQueries) / (double)Math.Max(sagas, 1);
            }

            text += "\n  PostgreSQL transactions per saga " + Summary(transactions);
            text += "\n  PostgreSQL rows written per saga " + Summary(Deltas(before.RowsWritten, after.RowsWritten, sagas));
        }

        if (after.RedisCommands.Count > 0)
        {
            text += "\n  Redis commands per saga " + Summary(Deltas(before.RedisCommands, after.RedisCommands, sagas));
        }

        return text;
    }

    private static Dictionary<string, double> Deltas(Dictionary<string, long> before, Dictionary<string, long> after, int sagas) =>
        after.ToDictionary(a => a.Key, a => (a.Value - before.GetValueOrDefault(a.Key)) / (double)Math.Max(sagas, 1), StringComparer.Ordinal);

    private static string Summary(Dictionary<string, double> perSaga)
    {
        var shown = perSaga.Where(p => p.Value >= 0.05).OrderByDescending(p => p.Value).ToList();
        return FormattableString.Invariant($"{shown.Sum(p => p.Value):0.0}: ")
            + string.Join(", ", shown.Select(p => FormattableString.Invariant($"{p.Key} {p.Value:0.0}")));
    }

    private async Task<(Dictionary<string, long> Transactions, Dictionary<string, long> RowsWritten)> PostgresCountsAsync()
    {
        var transactions = new Dictionary<string, long>(StringComparer.Ordinal);
        var rowsWritten = new Dictionary<string, long>(StringComparer.Ordinal);
        if (postgres is null)
        {
            return (transactions, rowsWritten);
        }

        await using var connection = new NpgsqlConnection(postgres.AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT datname, xact_commit + xact_rollback, tup_inserted + tup_updated + tup_deleted FROM pg_stat_database " +
            "WHERE datname NOT IN ('postgres', 'template0', 'template1')", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            transactions[reader.GetString(0)] = reader.GetInt64(1);
            rowsWritten[reader.GetString(0)] = reader.GetInt64(2);
        }

        return (transactions, rowsWritten);
    }

    private async Task<Dictionary<string, long>> RedisCommandsAsync()
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        if (redis is null)
        {
            return counts;
        }

        // cmdstat_<name>: calls=N,usec=...; the INFO calls are the meter's own.
        foreach (var (name, value) in (await redis.Server.InfoAsync("commandstats")).SelectMany(g => g))
        {
            var command = name.Replace("cmdstat_", "", StringComparison.Ordinal);
            if (command != "info")
            {
                counts[command] = long.Parse(value.Split(',')[0].Split('=')[1], CultureInfo.InvariantCulture);
            }
        }

        return counts;
    }
}
