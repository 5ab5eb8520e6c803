using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Sidecar.State;

/// <summary>The SQL a state query (filter EQ/IN/AND/OR, sort, page) becomes on postgres v1, as Dapr's query builder writes it.</summary>
internal sealed record PostgresQuery(string Sql, IReadOnlyList<string> Parameters, int Limit, long Offset)
{
    /// <exception cref="StateQueryException">The query JSON is malformed.</exception>
    public static PostgresQuery Build(string table, string queryJson)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(string.IsNullOrWhiteSpace(queryJson) ? "{}" : queryJson);
        }
        catch (JsonException ex)
        {
            throw new StateQueryException(ex.Message);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new StateQueryException("query must be a JSON object");
            }

            var parameters = new List<string>();
            // As Dapr's builder: no expiry condition, so expired rows not yet collected still match.
            var sql = new StringBuilder($"SELECT key, value::text, xmin::text FROM {table}");
            if (root.TryGetProperty("filter", out var filter) && filter.ValueKind == JsonValueKind.Object && filter.EnumerateObject().Any())
            {
                sql.Append(" WHERE ").Append(Filter(filter, parameters));
            }

            if (root.TryGetProperty("sort", out var sort) && sort.ValueKind == JsonValueKind.Array && sort.GetArrayLength() > 0)
            {
                var orders = sort.EnumerateArray().Select(s =>
                {
                    var key = s.TryGetProperty("key", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString()! : throw new StateQueryException("sort item needs a key");
                    var order = s.TryGetProperty("order", out var o) && o.ValueKind == JsonValueKind.String ? o.GetString()! : "";
                    return order switch
                    {
                        "" => Field(key),
                        "ASC" or "DESC" => $"{Field(key)} {order}",
                        _ => throw new StateQueryException($"invalid sort order '{order}'"),
                    };
                });
                sql.Append(" ORDER BY ").Append(string.Join(", ", orders));
            }

            var limit = 0;
            long offset = 0;
            if (root.TryGetProperty("page", out var page) && page.ValueKind == JsonValueKind.Object)
            {
                if (page.TryGetProperty("limit", out var l) && (!l.TryGetInt32(out limit) || limit < 0))
                {
                    throw new StateQueryException("page.limit must be a non-negative integer");
                }

                if (page.TryGetProperty("token", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() is { Length: > 0 } token
                    && (!long.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out offset)))
                {
                    throw new StateQueryException($"invalid page token '{token}'");
                }
            }

            if (limit > 0)
            {
                sql.Append(CultureInfo.InvariantCulture, $" LIMIT {limit}");
            }

            if (offset > 0)
            {
                sql.Append(CultureInfo.InvariantCulture, $" OFFSET {offset}");
            }

            return new PostgresQuery(sql.ToString(), parameters, limit, offset);
        }
    }

    private static string Filter(JsonElement filter, List<string> parameters)
    {
        var properties = filter.EnumerateObject().ToList();
        if (properties.Count != 1)
        {
            throw new StateQueryException("a filter must have exactly one operator");
        }

        var (op, operand) = (properties[0].Name, properties[0].Value);
        switch (op)
        {
            case "EQ":
                {
                    var (key, value) = SingleField(operand, op);
                    parameters.Add(ValueText(value));
                    return $"{Field(key)}=${parameters.Count}";
                }

            case "IN":
                {
                    var (key, values) = SingleField(operand, op);
                    if (values.ValueKind != JsonValueKind.Array || values.GetArrayLength() == 0)
                    {
                        throw new StateQueryException("IN needs a non-empty array");
                    }

                    // Dapr writes IN as a chain of equalities.
                    var equalities = values.EnumerateArray().Select(v =>
                    {
                        parameters.Add(ValueText(v));
                        return $"{Field(key)}=${parameters.Count}";
                    }).ToList();
                    return $"({string.Join(" OR ", equalities)})";
                }

            case "AND" or "OR":
                {
                    if (operand.ValueKind != JsonValueKind.Array || operand.GetArrayLength() < 2)
                    {
                        throw new StateQueryException($"{op} needs an array of at least two filters");
                    }

                    var parts = operand.EnumerateArray().Select(f => Filter(f, parameters)).ToList();
                    return $"({string.Join($" {op} ", parts)})";
                }

            default:
                throw new StateQueryException($"unsupported filter operator '{op}'");
        }
    }

    private static (string Key, JsonElement Value) SingleField(JsonElement operand, string op)
    {
        var fields = operand.ValueKind == JsonValueKind.Object ? operand.EnumerateObject().ToList() : [];
        return fields.Count == 1 ? (fields[0].Name, fields[0].Value) : throw new StateQueryException($"{op} needs exactly one field");
    }

    /// <summary>"a.b.c" → value-&gt;'a'-&gt;'b'-&gt;&gt;'c' (text of the leaf), as Dapr's translateFieldToFilter.</summary>
    private static string Field(string key)
    {
        var names = key.Split('.');
        var field = new StringBuilder("value");
        for (var i = 0; i < names.Length; i++)
        {
            field.Append(i == names.Length - 1 ? "->>" : "->").Append('\'').Append(names[i].Replace("'", "''", StringComparison.Ordinal)).Append('\'');
        }

        return field.ToString();
    }

    /// <summary>The leaf is compared as text with the value as Go's fmt "%v" prints it (numbers went through float64).</summary>
    private static string ValueText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Number => GoJson.FormatShortestG(value.GetDouble()),
        _ => throw new StateQueryException($"unsupported filter value {value.GetRawText()}"),
    };
}
