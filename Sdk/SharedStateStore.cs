using System.Collections.Concurrent;

namespace Edge.Sdk;

/// <summary>
/// The process-wide dictionary behind <see cref="SharedState"/>: bounded, with per-entry expiry. Expired entries
/// read as absent, are replaced in place by writes, and are swept every <see cref="SweepEvery"/> new keys (and
/// before the store refuses a key for being full), so many expired keys cannot grow it without bound.
/// </summary>
internal sealed class SharedStateStore
{
    /// <summary>The default cap on entries (expired ones not yet swept included).</summary>
    public const int DefaultMaxEntries = 100_000;

    /// <summary>New keys between two sweeps of expired entries.</summary>
    public const int SweepEvery = 4096;

    private readonly ConcurrentDictionary<string, SharedStateEntry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    // PERF: ConcurrentDictionary.Count takes every lock; this counter is kept beside it instead.
    private int _count;
    private int _addsSinceSweep;
    private int _sweeping;

    public SharedStateStore(TimeProvider time, int maxEntries = DefaultMaxEntries)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, 1);
        _time = time;
        MaxEntries = maxEntries;
    }

    public int MaxEntries { get; }

    /// <summary>Entries held, expired ones not yet swept included.</summary>
    public int StoredCount => Volatile.Read(ref _count);

    public long NowTicks => _time.GetUtcNow().UtcTicks;

    public long Deadline(TimeSpan? ttl)
    {
        if (ttl is null)
        {
            return long.MaxValue;
        }

        var now = NowTicks;
        var ticks = ttl.Value.Ticks;
        return ticks >= long.MaxValue - now ? long.MaxValue : now + ticks;
    }

    /// <summary>The live entry under <paramref name="key"/>; <paramref name="stored"/> is what the map holds, expired or not.</summary>
    public SharedStateEntry? Live(string key, out SharedStateEntry? stored)
    {
        if (!_entries.TryGetValue(key, out stored))
        {
            return null;
        }

        if (stored.IsExpired(NowTicks))
        {
            // Lazy sweep: drop it unless someone already replaced it.
            if (TryRemove(key, stored))
            {
                stored = null;
            }

            return null;
        }

        return stored;
    }

    /// <summary>Replaces <paramref name="current"/> (or adds when it is null); false when another writer got there first.</summary>
    public bool TryReplace(string key, SharedStateEntry? current, SharedStateEntry next) =>
        current is null ? TryAdd(key, next) : _entries.TryUpdate(key, next, current);

    /// <summary>Removes the entry only if it is still <paramref name="current"/>.</summary>
    public bool TryRemove(string key, SharedStateEntry current)
    {
        if (!_entries.TryRemove(new KeyValuePair<string, SharedStateEntry>(key, current)))
        {
            return false;
        }

        Interlocked.Decrement(ref _count);
        return true;
    }

    public int CountLive()
    {
        var now = NowTicks;
        var live = 0;
        foreach (var pair in _entries)
        {
            if (!pair.Value.IsExpired(now))
            {
                live++;
            }
        }

        return live;
    }

    /// <summary>Removes every expired entry; returns how many went.</summary>
    public int Sweep()
    {
        if (Interlocked.Exchange(ref _sweeping, 1) != 0)
        {
            return 0;
        }

        try
        {
            var now = NowTicks;
            var removed = 0;
            foreach (var pair in _entries)
            {
                if (pair.Value.IsExpired(now) && TryRemove(pair.Key, pair.Value))
                {
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

    private bool TryAdd(string key, SharedStateEntry entry)
    {
        if (Interlocked.Increment(ref _addsSinceSweep) >= SweepEvery)
        {
            Volatile.Write(ref _addsSinceSweep, 0);
            Sweep();
        }

        // The slot is reserved before the add, so racing writers can never overshoot the cap.
        if (Interlocked.Increment(ref _count) > MaxEntries)
        {
            Interlocked.Decrement(ref _count);
            Sweep();
            if (Interlocked.Increment(ref _count) > MaxEntries)
            {
                Interlocked.Decrement(ref _count);
                throw HandlerError.ServiceUnavailable(
                    $"ctx.State is full ({MaxEntries} entries): remove keys or give them a ttl before adding '{key}'");
            }
        }

        if (_entries.TryAdd(key, entry))
        {
            return true;
        }

        Interlocked.Decrement(ref _count);
        return false;
    }
}
