using System.Diagnostics;
using Edge.Gateway.Handlers;

namespace Edge.Tests.Gateway.Handlers;

public sealed class TimeoutSchedulerTests
{
    private static long In(int ms) => Stopwatch.GetTimestamp() + (ms * Stopwatch.Frequency / 1000);

    [Fact]
    public async Task Register_DeadlinePasses_CallsBackAndCompletesExpired()
    {
        using var scheduler = new TimeoutScheduler(TimeProvider.System);
        var fired = 0;

        var entry = scheduler.Register(50, In(50), () => Interlocked.Increment(ref fired));
        await entry.Expired.WaitAsync(TimeSpan.FromSeconds(5));

        fired.ShouldBe(1);
        scheduler.Armed.ShouldBe(0);
    }

    [Fact]
    public async Task Complete_ManyBehindASlowOne_AreUnlinkedAtOnce()
    {
        using var scheduler = new TimeoutScheduler(TimeProvider.System);
        var slow = scheduler.Register(30_000, In(30_000), () => { });

        for (var i = 0; i < 10_000; i++)
        {
            scheduler.Register(30_000, In(30_000), () => throw new InvalidOperationException("must not fire")).Complete();
        }

        scheduler.Armed.ShouldBe(1, "finished requests must not pile up behind the slow one");
        slow.Complete();
        scheduler.Armed.ShouldBe(0);
        await Task.Delay(50);
        slow.Expired.IsCompleted.ShouldBeFalse();
    }
}
