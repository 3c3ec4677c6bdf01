namespace Edge.Gateway.Handlers;

/// <summary>
/// One endpoint's live traffic: a ring of per-second <see cref="MetricsSlot"/>s covering the last
/// <see cref="WindowSeconds"/> seconds. PERF: recording is lock-free and allocation-free: three Interlocked
/// increments on the current second's slot; a new slot is allocated once per second of traffic (not per request),
/// the ring itself at the endpoint's first request. A fully used ring is about 200 KB.
/// </summary>
internal sealed class EndpointMetrics
{
    public const int WindowSeconds = 900;

    /// <summary>Unix milliseconds at <see cref="Environment.TickCount64"/> zero: the clock read per request is the cheap tick count.</summary>
    private static readonly long UnixMillisAtTickZero = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - Environment.TickCount64;

    private MetricsSlot?[]? _ring;

    /// <summary>The current Unix second on the clock requests are recorded with.</summary>
    public static long NowSecond => (UnixMillisAtTickZero + Environment.TickCount64) / 1000;

    /// <summary>Counts one answered request with its status and its duration in <see cref="System.Diagnostics.Stopwatch"/> ticks.</summary>
    public void Record(int status, long elapsedTicks)
    {
        var second = NowSecond;
        var ring = Volatile.Read(ref _ring) ?? CreateRing();
        var slot = SlotFor(ref ring[second % WindowSeconds], second);
        if (slot is null)
        {
            return;
        }

        Interlocked.Increment(ref slot.Requests);
        if (status >= 500)
        {
            Interlocked.Increment(ref slot.Errors);
        }
        else if (status >= 400)
        {
            Interlocked.Increment(ref slot.ClientErrors);
        }

        Interlocked.Increment(ref slot.Histogram[LatencyHistogram.BucketOf(elapsedTicks)]);
    }

    /// <summary>The slots of the seconds from <paramref name="first"/> to <paramref name="last"/> (inclusive) that saw traffic.</summary>
    public IReadOnlyList<MetricsSlot> Slots(long first, long last)
    {
        var ring = Volatile.Read(ref _ring);
        if (ring is null)
        {
            return [];
        }

        var slots = new List<MetricsSlot>();
        for (var i = 0; i < ring.Length; i++)
        {
            if (Volatile.Read(ref ring[i]) is { } slot && slot.Second >= first && slot.Second <= last)
            {
                slots.Add(slot);
            }
        }

        return slots;
    }

    private MetricsSlot?[] CreateRing()
    {
        Interlocked.CompareExchange(ref _ring, new MetricsSlot?[WindowSeconds], null);
        return _ring!;
    }

    /// <summary>
    /// The slot of <paramref name="second"/> in its ring cell, replacing an older second's slot (the first request of a
    /// second allocates it; a racing one uses the winner's). Null for a second the cell has already moved past.
    /// </summary>
    private static MetricsSlot? SlotFor(ref MetricsSlot? cell, long second)
    {
        while (true)
        {
            var slot = Volatile.Read(ref cell);
            if (slot is not null && slot.Second >= second)
            {
                return slot.Second == second ? slot : null;
            }

            var fresh = new MetricsSlot(second);
            if (Interlocked.CompareExchange(ref cell, fresh, slot) == slot)
            {
                return fresh;
            }
        }
    }
}
