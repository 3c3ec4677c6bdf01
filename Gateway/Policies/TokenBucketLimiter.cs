using System.Collections.Concurrent;

namespace Edge.Gateway.Policies;

/// <summary>
/// One endpoint's rate limit: a token bucket per key (capacity <c>permits</c>, refilled continuously at
/// <c>permits / window_seconds</c>), in memory. The table is bounded: buckets that have refilled completely are swept
/// (a full bucket and a missing one mean the same), and when <see cref="MaxKeys"/> keys are live new keys share one
/// overflow bucket until room frees.
/// </summary>
internal sealed class TokenBucketLimiter
{
    public const int DefaultMaxKeys = 100_000;
    private const string OverflowKey = "\0overflow";

    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Bucket>.AlternateLookup<ReadOnlySpan<char>> _bySpan;
    private readonly TimeProvider _time;
    private readonly double _capacity;
    private readonly double _tokensPerTick;
    private readonly long _sweepEveryTicks;
    private int _count;
    private long _lastSweep;
    private int _sweeping;

    public TokenBucketLimiter(RateLimitSettings settings, TimeProvider time, int maxKeys = DefaultMaxKeys)
    {
        Settings = settings;
        MaxKeys = maxKeys;
        _time = time;
        _bySpan = _buckets.GetAlternateLookup<ReadOnlySpan<char>>();
        _capacity = settings.Permits;
        _tokensPerTick = settings.Permits / (double)TimeSpan.FromSeconds(settings.WindowSeconds).Ticks;

        // A bucket is full again at the latest one window after its last use: sweeping more often finds little.
        _sweepEveryTicks = Math.Max(TimeSpan.FromSeconds(settings.WindowSeconds).Ticks, TimeSpan.FromSeconds(10).Ticks);
        _lastSweep = time.GetUtcNow().UtcTicks;
        LimitHeader = settings.Permits.ToString(System.Globalization.CultureInfo.InvariantCulture);
        HeadersAlways = settings.Headers == RateLimitSettings.HeadersAlways;
    }

    public RateLimitSettings Settings { get; }

    public int MaxKeys { get; }

    /// <summary>Keys with a bucket now.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Whether admitted requests carry the <c>RateLimit-*</c> headers too (refused ones always do).</summary>
    public bool HeadersAlways { get; }

    /// <summary>The <c>RateLimit-Limit</c> value, formatted once.</summary>
    public string LimitHeader { get; }

    /// <summary>Takes one token from <paramref name="key"/>'s bucket.</summary>
    public RateLimitDecision TryAcquire(string key) => TryAcquire(key.AsSpan());

    /// <summary>Takes one token from <paramref name="key"/>'s bucket (PERF: a known key costs no string).</summary>
    public RateLimitDecision TryAcquire(ReadOnlySpan<char> key)
    {
        var now = _time.GetUtcNow().UtcTicks;
        if (now - Volatile.Read(ref _lastSweep) > _sweepEveryTicks)
        {
            Sweep(now);
        }

        if (!_bySpan.TryGetValue(key, out var bucket))
        {
            bucket = Add(key.ToString(), now);
        }

        lock (bucket)
        {
            // The clock was read before the lock: a request that read it earlier may get here after one that read it
            // later. Time never runs backwards for a bucket: a step back would take away tokens the next request
            // refills again (a repeated RateLimit-Remaining, or near empty a wrong 429).
            var elapsed = now - bucket.Updated;
            if (elapsed > 0)
            {
                bucket.Tokens = Math.Min(_capacity, bucket.Tokens + (elapsed * _tokensPerTick));
                bucket.Updated = now;
            }

            var tokens = bucket.Tokens;
            var allowed = tokens >= 1;
            if (allowed)
            {
                tokens -= 1;
            }

            bucket.Tokens = tokens;

            // Reset: until the bucket is full again. Retry-After: until one whole token is back.
            var resetTicks = (_capacity - tokens) / _tokensPerTick;
            var retryTicks = allowed ? 0 : (1 - tokens) / _tokensPerTick;
            return new RateLimitDecision(allowed, (long)Math.Floor(tokens), CeilingSeconds(resetTicks), CeilingSeconds(retryTicks));
        }
    }

    /// <summary>Drops the buckets that have refilled completely; returns how many.</summary>
    public int Sweep(long now)
    {
        if (Interlocked.Exchange(ref _sweeping, 1) == 1)
        {
            return 0;
        }

        try
        {
            Volatile.Write(ref _lastSweep, now);
            var removed = 0;
            foreach (var (key, bucket) in _buckets)
            {
                bool full;
                lock (bucket)
                {
                    full = bucket.Tokens + ((now - bucket.Updated) * _tokensPerTick) >= _capacity;
                }

                if (full && _buckets.TryRemove(new KeyValuePair<string, Bucket>(key, bucket)))
                {
                    Interlocked.Decrement(ref _count);
                    removed++;
                }
            }

            return removed;
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    private Bucket Add(string key, long now)
    {
        if (Volatile.Read(ref _count) >= MaxKeys)
        {
            // PERF: at most one sweep a second on this path, so a flood of new keys cannot make every request O(n).
            if (now - Volatile.Read(ref _lastSweep) > TimeSpan.TicksPerSecond)
            {
                Sweep(now);
            }

            if (Volatile.Read(ref _count) >= MaxKeys)
            {
                // Full of active keys: newcomers share one bucket rather than grow the table without bound.
                key = OverflowKey;
                if (_buckets.TryGetValue(key, out var shared))
                {
                    return shared;
                }
            }
        }

        var fresh = new Bucket { Tokens = _capacity, Updated = now };
        if (_buckets.TryAdd(key, fresh))
        {
            Interlocked.Increment(ref _count);
            return fresh;
        }

        return _buckets.TryGetValue(key, out var existing) ? existing : fresh;
    }

    private static long CeilingSeconds(double ticks) => ticks <= 0 ? 0 : (long)Math.Ceiling(ticks / TimeSpan.TicksPerSecond);

    private sealed class Bucket
    {
        public double Tokens;
        public long Updated;
    }
}
