using Edge.Gateway.Policies;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Policies;

/// <summary>The token bucket on a clock that moves only when told to.</summary>
public sealed class TokenBucketLimiterTests
{
    [Fact]
    public void TryAcquire_BurstOverCapacity_ExactlyPermitsAllowed()
    {
        // Arrange
        var limiter = new TokenBucketLimiter(new RateLimitSettings(10, 60, "ip"), new ManualTimeProvider());

        // Act
        var decisions = Enumerable.Range(0, 15).Select(_ => limiter.TryAcquire("a")).ToList();

        // Assert
        decisions.Count(d => d.Allowed).ShouldBe(10);
        decisions.Take(10).Select(d => d.Remaining).ShouldBe([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
        decisions[10].Allowed.ShouldBeFalse();
        decisions[10].RetryAfterSeconds.ShouldBe(6);
        decisions[10].ResetSeconds.ShouldBe(60);
    }

    [Fact]
    public void TryAcquire_EarlierClockReadReachesTheBucketLate_TimeIsNotTakenBack()
    {
        // Arrange: the clock is read before the bucket's lock, so under concurrency a request that read it earlier can
        // take the lock after one that read it later; the step back must not drain tokens already refilled.
        var clock = new ManualTimeProvider();
        var limiter = new TokenBucketLimiter(new RateLimitSettings(10, 60, "ip"), clock);
        for (var i = 0; i < 9; i++)
        {
            limiter.TryAcquire("a");
        }

        clock.Advance(TimeSpan.FromSeconds(6));
        var later = limiter.TryAcquire("a");

        // Act
        clock.Advance(TimeSpan.FromSeconds(-6));
        var earlier = limiter.TryAcquire("a");
        clock.Advance(TimeSpan.FromSeconds(6));
        var next = limiter.TryAcquire("a");

        // Assert
        later.Remaining.ShouldBe(1);
        earlier.Allowed.ShouldBeTrue();
        earlier.Remaining.ShouldBe(0);
        next.Allowed.ShouldBeFalse();
    }

    [Fact]
    public void TryAcquire_TimePasses_RefillsContinuouslyUpToCapacity()
    {
        // Arrange
        var clock = new ManualTimeProvider();
        var limiter = new TokenBucketLimiter(new RateLimitSettings(10, 60, "ip"), clock);
        for (var i = 0; i < 10; i++)
        {
            limiter.TryAcquire("a");
        }

        // Act
        clock.Advance(TimeSpan.FromSeconds(5.9));
        var early = limiter.TryAcquire("a");
        clock.Advance(TimeSpan.FromSeconds(0.2));
        var onTime = limiter.TryAcquire("a");
        clock.Advance(TimeSpan.FromHours(1));
        var afterLongIdle = Enumerable.Range(0, 11).Count(_ => limiter.TryAcquire("a").Allowed);

        // Assert
        early.Allowed.ShouldBeFalse();
        early.RetryAfterSeconds.ShouldBe(1);
        onTime.Allowed.ShouldBeTrue();
        afterLongIdle.ShouldBe(10);
    }

    [Fact]
    public void TryAcquire_DifferentKeys_SeparateBuckets()
    {
        // Arrange
        var limiter = new TokenBucketLimiter(new RateLimitSettings(1, 60, "ip"), new ManualTimeProvider());

        // Act
        var a1 = limiter.TryAcquire("a");
        var a2 = limiter.TryAcquire("a");
        var b1 = limiter.TryAcquire("b");

        // Assert
        a1.Allowed.ShouldBeTrue();
        a2.Allowed.ShouldBeFalse();
        b1.Allowed.ShouldBeTrue();
    }

    [Fact]
    public void TryAcquire_MoreKeysThanTheBound_TableStaysBoundedAndIdleBucketsAreSwept()
    {
        // Arrange
        var clock = new ManualTimeProvider();
        var limiter = new TokenBucketLimiter(new RateLimitSettings(1, 1, "ip"), clock, maxKeys: 100);

        // Act
        for (var i = 0; i < 500; i++)
        {
            limiter.TryAcquire("k" + i);
        }

        var whileFull = limiter.Count;
        var newcomerShares = limiter.TryAcquire("late").Allowed;
        clock.Advance(TimeSpan.FromSeconds(30));
        limiter.TryAcquire("after");

        // Assert: new keys beyond the bound share one overflow bucket (already spent); once idle, everything is swept.
        whileFull.ShouldBeLessThanOrEqualTo(101);
        newcomerShares.ShouldBeFalse();
        limiter.Count.ShouldBe(1);
    }
}
