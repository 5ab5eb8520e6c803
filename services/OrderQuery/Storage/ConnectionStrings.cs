using Npgsql;

namespace OrderQuery.Storage;

/// <summary>Accepts the Npgsql form (<c>Host=…;Database=…</c>) and libpq's (<c>host=… port=… user=… password=… database=…</c>).</summary>
internal static class ConnectionStrings
{
    private static readonly Dictionary<string, string> LibpqKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        ["host"] = "Host",
        ["hostaddr"] = "Host",
        ["port"] = "Port",
        ["user"] = "Username",
        ["password"] = "Password",
        ["dbname"] = "Database",
        ["database"] = "Database",
        ["sslmode"] = "SSL Mode",
        ["connect_timeout"] = "Timeout",
        ["application_name"] = "Application Name",
    };

    public static bool TryToNpgsql(string value, out string npgsql, out string? error)
    {
        npgsql = "";
        try
        {
            var builder = value.Contains(';', StringComparison.Ordinal) ? new NpgsqlConnectionStringBuilder(value) : FromLibpq(value);
            if (string.IsNullOrEmpty(builder.Host) || string.IsNullOrEmpty(builder.Database))
            {
                error = "it names no host or no database";
                return false;
            }

            npgsql = builder.ConnectionString;
            error = null;
            return true;
        }
        catch (ArgumentException ex)
        {
            error = ex.Message;
            return false;
        }
    }

    private static NpgsqlConnectionStringBuilder FromLibpq(string value)
    {
        var builder = new NpgsqlConnectionStringBuilder();
        foreach (var pair in value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new ArgumentException($"'{pair}' is not key=value");
            }

            var key = pair[..equals];
            if (!LibpqKeys.TryGetValue(key, out var npgsqlKey))
            {
                throw new ArgumentException($"unsupported libpq key '{key}'");
            }

            builder[npgsqlKey] = pair[(equals + 1)..].Trim('\'');
        }

        return builder;
    }
}
