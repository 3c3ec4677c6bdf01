using System.Diagnostics;

namespace Edge.Bench;

/// <summary>
/// A clock running a thousand times faster than the real one, read from the monotonic counter (about what the system
/// clock costs). A benchmark loop calls a rate limiter millions of times a second, faster than the largest allowed
/// refill (1,000,000 permits a second): on the real clock the bucket empties and the loop would measure the 429 path.
/// </summary>
internal sealed class FastClock : TimeProvider
{
    private readonly DateTimeOffset _start = DateTimeOffset.UtcNow;
    private readonly long _origin = Stopwatch.GetTimestamp();

    public override DateTimeOffset GetUtcNow() =>
        _start.AddTicks((long)((Stopwatch.GetTimestamp() - _origin) * (TimeSpan.TicksPerSecond * 1000.0 / Stopwatch.Frequency)));
}
