using System.Globalization;
using Sidecar.Resources;

namespace Sidecar.Resiliency;

/// <summary>The counts a circuit breaker's trip expression reads (sony/gobreaker's Counts, as daprd exposes them).</summary>
public readonly record struct BreakerCounts(int Requests, int TotalSuccesses, int TotalFailures, int ConsecutiveSuccesses, int ConsecutiveFailures);

/// <summary>
/// A circuit breaker's <c>trip</c> expression. daprd evaluates it as CEL; we accept the subset Resiliency
/// files use: comparisons of a count with an integer ("consecutiveFailures >= 5"), joined by &amp;&amp; and ||.
/// </summary>
public sealed class TripExpression
{
    private readonly List<List<Func<BreakerCounts, bool>>> _anyOfAll;

    private TripExpression(List<List<Func<BreakerCounts, bool>>> anyOfAll) => _anyOfAll = anyOfAll;

    public static TripExpression Parse(string text)
    {
        var anyOf = new List<List<Func<BreakerCounts, bool>>>();
        foreach (var alternative in text.Split("||"))
        {
            var allOf = new List<Func<BreakerCounts, bool>>();
            foreach (var clause in alternative.Split("&&"))
            {
                allOf.Add(ParseComparison(clause.Trim(), text));
            }

            anyOf.Add(allOf);
        }

        return new TripExpression(anyOf);
    }

    public bool Trips(BreakerCounts counts) => _anyOfAll.Any(all => all.All(check => check(counts)));

    private static Func<BreakerCounts, bool> ParseComparison(string clause, string text)
    {
        var parts = clause.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 3 || !int.TryParse(parts[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var limit))
        {
            throw new FormatException($"'{text}': expected '<count> <op> <integer>' clauses joined by && or ||");
        }

        Func<BreakerCounts, int> read = parts[0] switch
        {
            "requests" => c => c.Requests,
            "totalSuccesses" => c => c.TotalSuccesses,
            "totalFailures" => c => c.TotalFailures,
            "consecutiveSuccesses" => c => c.ConsecutiveSuccesses,
            "consecutiveFailures" => c => c.ConsecutiveFailures,
            var other => throw new FormatException($"'{text}': unknown count '{other}' (requests, totalSuccesses, totalFailures, consecutiveSuccesses, consecutiveFailures)"),
        };
        return parts[1] switch
        {
            ">" => c => read(c) > limit,
            ">=" => c => read(c) >= limit,
            "<" => c => read(c) < limit,
            "<=" => c => read(c) <= limit,
            "==" => c => read(c) == limit,
            "!=" => c => read(c) != limit,
            var other => throw new FormatException($"'{text}': unknown operator '{other}'"),
        };
    }
}

/// <summary>
/// One circuit breaker (gobreaker semantics as daprd uses them): closed → open when the trip expression
/// holds after a failure; open answers immediately until <c>timeout</c> has passed; half-open lets
/// <c>maxRequests</c> calls through, closing after that many successes and reopening on any failure. In the
/// closed state the counts reset every <c>interval</c> (0 = never).
/// </summary>
public sealed class CircuitBreaker(CircuitBreakerPolicy policy, TimeProvider time)
{
    private enum State
    {
        Closed,
        Open,
        HalfOpen,
    }

    private readonly TripExpression _trip = TripExpression.Parse(policy.Trip);
    private readonly Lock _lock = new();
    private State _state = State.Closed;
    private BreakerCounts _counts;
    private DateTimeOffset _openUntil;
    private DateTimeOffset _intervalEnds = policy.Interval > TimeSpan.Zero ? time.GetUtcNow() + policy.Interval : DateTimeOffset.MaxValue;

    /// <summary>Whether a call may go ahead now; when true the caller must report the outcome.</summary>
    public bool TryAcquire()
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            if (_state == State.Open)
            {
                if (now < _openUntil)
                {
                    return false;
                }

                _state = State.HalfOpen;
                _counts = default;
            }

            if (_state == State.Closed && now >= _intervalEnds)
            {
                _counts = default;
                _intervalEnds = now + policy.Interval;
            }

            if (_state == State.HalfOpen && _counts.Requests >= Math.Max(policy.MaxRequests, 1))
            {
                return false;
            }

            _counts = _counts with { Requests = _counts.Requests + 1 };
            return true;
        }
    }

    public void ReportSuccess()
    {
        lock (_lock)
        {
            _counts = _counts with
            {
                TotalSuccesses = _counts.TotalSuccesses + 1,
                ConsecutiveSuccesses = _counts.ConsecutiveSuccesses + 1,
                ConsecutiveFailures = 0,
            };
            if (_state == State.HalfOpen && _counts.ConsecutiveSuccesses >= Math.Max(policy.MaxRequests, 1))
            {
                _state = State.Closed;
                _counts = default;
                _intervalEnds = policy.Interval > TimeSpan.Zero ? time.GetUtcNow() + policy.Interval : DateTimeOffset.MaxValue;
            }
        }
    }

    /// <summary>A call that was let through ended without an outcome (the caller cancelled): frees its slot.</summary>
    public void ReportAbandoned()
    {
        lock (_lock)
        {
            _counts = _counts with { Requests = Math.Max(_counts.Requests - 1, 0) };
        }
    }

    public void ReportFailure()
    {
        lock (_lock)
        {
            _counts = _counts with
            {
                TotalFailures = _counts.TotalFailures + 1,
                ConsecutiveFailures = _counts.ConsecutiveFailures + 1,
                ConsecutiveSuccesses = 0,
            };
            if (_state == State.HalfOpen || (_state == State.Closed && _trip.Trips(_counts)))
            {
                _state = State.Open;
                _openUntil = time.GetUtcNow() + policy.Timeout;
                _counts = default;
            }
        }
    }
}
