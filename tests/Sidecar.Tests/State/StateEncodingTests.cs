using System.Text;
using Npgsql;
using Sidecar.State;

namespace Sidecar.Tests.State;

/// <summary>The pure pieces: Go's JSON re-encoding, pgx connection strings, the v1 query SQL.</summary>
public sealed class StateEncodingTests
{
    [Theory]
    [InlineData("""{ "b": 1, "a": "x" }""", """{"a":"x","b":1}""")]
    [InlineData("""{"html": "<a href='x'>&</a>"}""", """{"html":"\u003ca href='x'\u003e\u0026\u003c/a\u003e"}""")]
    [InlineData("""[1.0, 2.50, -0.1, 1e2]""", """[1,2.5,-0.1,100]""")]
    [InlineData("""{"big": 123456789012345678}""", """{"big":123456789012345680}""")]
    [InlineData("""{"a": 1, "a": 2}""", """{"a":2}""")]
    [InlineData("\"line\\nbreak\\u0001\"", "\"line\\nbreak\\u0001\"")]
    [InlineData("null", "null")]
    public void Canonicalize_Json_MatchesGoMarshalOfParsedValue(string input, string expected)
    {
        var output = GoJson.Canonicalize(Encoding.UTF8.GetBytes(input));

        Assert.Equal(expected, Encoding.UTF8.GetString(output));
    }

    [Theory]
    [InlineData(1e21, "1e+21")]
    [InlineData(1e20, "100000000000000000000")]
    [InlineData(0.000001, "0.000001")]
    [InlineData(0.0000001, "1e-7")]
    [InlineData(1.5e-10, "1.5e-10")]
    [InlineData(-2.25, "-2.25")]
    [InlineData(0.1, "0.1")]
    public void FormatFloat_Value_MatchesGoEncodingJson(double value, string expected)
    {
        Assert.Equal(expected, GoJson.FormatFloat(value));
    }

    [Theory]
    [InlineData(1e6, "1e+06")]
    [InlineData(123456, "123456")]
    [InlineData(2.5, "2.5")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001, "1e-05")]
    [InlineData(-1234567, "-1.234567e+06")]
    public void FormatShortestG_Value_MatchesGoFmtV(double value, string expected)
    {
        Assert.Equal(expected, GoJson.FormatShortestG(value));
    }

    [Fact]
    public void BuildQuery_NumericFilter_UsesGoTextOfTheFloat()
    {
        var query = PostgresQuery.Build("state", """{"filter": {"EQ": {"qty": 1000000}}}""");

        Assert.Equal(["1e+06"], query.Parameters);
    }

    [Fact]
    public void Canonicalize_InvalidJson_Throws()
    {
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => GoJson.Canonicalize("{not json"u8.ToArray()));
    }

    [Theory]
    [InlineData("host=db.local port=5433 user=dapr password='p w\\'x' dbname=orders sslmode=require", "db.local", 5433, "dapr", "p w'x", "orders", SslMode.Require)]
    [InlineData("host=127.0.0.1 port=5432 user=postgres database=x", "127.0.0.1", 5432, "postgres", null, "x", SslMode.Prefer)]
    [InlineData("postgres://dapr:s%40cret@db.local:5434/orders?sslmode=disable", "db.local", 5434, "dapr", "s@cret", "orders", SslMode.Disable)]
    [InlineData("postgresql://dapr@db.local/orders", "db.local", 5432, "dapr", null, "orders", SslMode.Prefer)]
    public void ToNpgsql_PgxConnectionString_MapsEveryField(string connectionString, string host, int port, string user, string? password, string database, SslMode sslMode)
    {
        var builder = PostgresSupport.ToNpgsql(connectionString);

        Assert.Equal((host, port, user, password, database, sslMode), (builder.Host, builder.Port, builder.Username, builder.Password, builder.Database, builder.SslMode));
    }

    [Fact]
    public void BuildQuery_FilterSortPage_TranslatesJsonPathsAndParameters()
    {
        var query = PostgresQuery.Build("state", """
            {"filter": {"AND": [{"EQ": {"person.org": "A"}}, {"IN": {"state": ["CA", "WA"]}}]},
             "sort": [{"key": "person.id", "order": "DESC"}], "page": {"limit": 10, "token": "20"}}
            """);

        Assert.Equal(
            "SELECT key, value::text, xmin::text FROM state"
            + " WHERE (value->'person'->>'org'=$1 AND (value->>'state'=$2 OR value->>'state'=$3)) ORDER BY value->'person'->>'id' DESC LIMIT 10 OFFSET 20",
            query.Sql);
        Assert.Equal(["A", "CA", "WA"], query.Parameters);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"filter": {"EQ": {"a": 1}, "IN": {"b": [1]}}}""")]
    [InlineData("""{"filter": {"AND": [{"EQ": {"a": 1}}]}}""")]
    [InlineData("""{"page": {"limit": 1, "token": "abc"}}""")]
    public void BuildQuery_Malformed_IsRefused(string queryJson)
    {
        Assert.Throws<StateQueryException>(() => PostgresQuery.Build("state", queryJson));
    }
}
