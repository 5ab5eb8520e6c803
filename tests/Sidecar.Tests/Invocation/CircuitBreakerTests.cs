using Sidecar.Resiliency;
using Sidecar.Resources;

namespace Sidecar.Tests.Invocation;

/// <summary>The breaker's state machine on a clock the test moves.</summary>
public sealed class CircuitBreakerTests
{
    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private readonly ManualClock _clock = new();

    private CircuitBreaker Breaker(string trip = "consecutiveFailures >= 2", int maxRequests = 1, TimeSpan? interval = null) =>
        new(new CircuitBreakerPolicy("cb", maxRequests, interval ?? TimeSpan.Zero, TimeSpan.FromSeconds(30), trip), _clock);

    private static void Fail(CircuitBreaker breaker)
    {
        Assert.True(breaker.TryAcquire());
        breaker.ReportFailure();
    }

    private static void Succeed(CircuitBreaker breaker)
    {
        Assert.True(breaker.TryAcquire());
        breaker.ReportSuccess();
    }

    [Fact]
    public void Breaker_TripConditionMet_OpensUntilTimeout()
    {
        var breaker = Breaker();

        Fail(breaker);
        Assert.True(breaker.TryAcquire());
        breaker.ReportFailure();

        Assert.False(breaker.TryAcquire());
        _clock.Now += TimeSpan.FromSeconds(29);
        Assert.False(breaker.TryAcquire());
        _clock.Now += TimeSpan.FromSeconds(1);
        Assert.True(breaker.TryAcquire());
    }

    [Fact]
    public void Breaker_SuccessBetweenFailures_ResetsConsecutiveCount()
    {
        var breaker = Breaker();

        Fail(breaker);
        Succeed(breaker);
        Fail(breaker);

        Assert.True(breaker.TryAcquire());
    }

    [Fact]
    public void Breaker_HalfOpen_AllowsMaxRequestsThenClosesOnSuccess()
    {
        var breaker = Breaker(maxRequests: 2);
        Fail(breaker);
        Fail(breaker);
        _clock.Now += TimeSpan.FromSeconds(30);

        Assert.True(breaker.TryAcquire());
        Assert.True(breaker.TryAcquire());
        Assert.False(breaker.TryAcquire());
        breaker.ReportSuccess();
        breaker.ReportSuccess();

        Assert.True(breaker.TryAcquire());
        Assert.True(breaker.TryAcquire());
        Assert.True(breaker.TryAcquire());
    }

    [Fact]
    public void Breaker_HalfOpenFailure_ReopensForAnotherTimeout()
    {
        var breaker = Breaker();
        Fail(breaker);
        Fail(breaker);
        _clock.Now += TimeSpan.FromSeconds(30);

        Fail(breaker);

        Assert.False(breaker.TryAcquire());
        _clock.Now += TimeSpan.FromSeconds(30);
        Assert.True(breaker.TryAcquire());
    }

    [Fact]
    public void Breaker_HalfOpenTrialAbandoned_LetsAnotherTrialThrough()
    {
        var breaker = Breaker();
        Fail(breaker);
        Fail(breaker);
        _clock.Now += TimeSpan.FromSeconds(30);
        Assert.True(breaker.TryAcquire());
        Assert.False(breaker.TryAcquire());

        breaker.ReportAbandoned();

        Assert.True(breaker.TryAcquire());
    }

    [Fact]
    public void Breaker_Interval_ResetsCountsWhileClosed()
    {
        var breaker = Breaker(trip: "totalFailures >= 2", interval: TimeSpan.FromSeconds(10));

        Fail(breaker);
        _clock.Now += TimeSpan.FromSeconds(11);
        Fail(breaker);

        Assert.True(breaker.TryAcquire());
    }

    [Theory]
    [InlineData("consecutiveFailures > 5", 6, true)]
    [InlineData("consecutiveFailures > 5", 5, false)]
    [InlineData("requests >= 3 && totalFailures >= 2", 2, true)]
    [InlineData("requests >= 30 && totalFailures >= 2", 2, false)]
    [InlineData("requests >= 30 || totalFailures == 2", 2, true)]
    public void TripExpression_Evaluate_FollowsComparisonsAndJoins(string expression, int failures, bool trips)
    {
        var counts = new BreakerCounts(Requests: failures + 3, TotalSuccesses: 3, TotalFailures: failures, ConsecutiveSuccesses: 0, ConsecutiveFailures: failures);

        Assert.Equal(trips, TripExpression.Parse(expression).Trips(counts));
    }

    [Theory]
    [InlineData("failures > 3")]
    [InlineData("consecutiveFailures => 3")]
    [InlineData("consecutiveFailures > three")]
    [InlineData("")]
    public void TripExpression_Unsupported_ThrowsFormatException(string expression) =>
        Assert.Throws<FormatException>(() => TripExpression.Parse(expression));
}
