namespace Edge.Gateway.Handlers;

/// <summary>
/// One shared ticker for every handler timeout, instead of a timer per request. Only requests whose handler
/// did not complete synchronously are registered; the ticker runs only while some are.
/// Entries live in one list per timeout value (an endpoint's timeout_ms), in registration order, so each
/// list is already ordered by deadline: a tick looks at list heads only, and a request that finishes in
/// time unlinks its entry at once (O(1)), so finished requests never pile up behind a slow one.
/// </summary>
internal sealed class TimeoutScheduler : IDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(10);

    private readonly Dictionary<int, TimeoutLane> _lanes = [];
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private int _armed;
    private bool _running;

    public TimeoutScheduler(TimeProvider time)
    {
        _time = time;
        _timer = time.CreateTimer(_ => Fire(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Entries registered and not yet completed or expired.</summary>
    public int Armed
    {
        get
        {
            lock (_lock)
            {
                return _armed;
            }
        }
    }

    /// <summary>Arms a timeout that calls <paramref name="onTimeout"/> and completes <see cref="TimeoutEntry.Expired"/>.</summary>
    public TimeoutEntry Register(int timeoutMs, long deadlineTimestamp, Action onTimeout)
    {
        var entry = new TimeoutEntry(this, deadlineTimestamp, onTimeout);
        lock (_lock)
        {
            if (!_lanes.TryGetValue(timeoutMs, out var lane))
            {
                _lanes[timeoutMs] = lane = new TimeoutLane();
            }

            lane.Append(entry);
            _armed++;
            if (!_running)
            {
                _running = true;
                _timer.Change(Tick, Tick);
            }
        }

        return entry;
    }

    /// <summary>Unlinks an entry whose handler finished first; false if it had already expired.</summary>
    internal bool Remove(TimeoutEntry entry)
    {
        lock (_lock)
        {
            if (entry.Lane is not { } lane)
            {
                return false;
            }

            lane.Unlink(entry);
            _armed--;
            return true;
        }
    }

    private void Fire()
    {
        var now = _time.GetTimestamp();
        List<TimeoutEntry>? due = null;
        lock (_lock)
        {
            foreach (var lane in _lanes.Values)
            {
                while (lane.Head is { } head && head.Deadline <= now)
                {
                    lane.Unlink(head);
                    _armed--;
                    (due ??= []).Add(head);
                }
            }

            if (_armed == 0 && _running)
            {
                _running = false;
                _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }
        }

        // Outside the lock: cancellation callbacks are user code.
        foreach (var entry in due ?? [])
        {
            entry.Expire();
        }
    }

    public void Dispose() => _timer.Dispose();

    /// <summary>A doubly linked list of entries with one timeout value, oldest (earliest deadline) first.</summary>
    internal sealed class TimeoutLane
    {
        public TimeoutEntry? Head { get; private set; }

        private TimeoutEntry? _tail;

        public void Append(TimeoutEntry entry)
        {
            entry.Lane = this;
            entry.Previous = _tail;
            entry.Next = null;
            if (_tail is null)
            {
                Head = entry;
            }
            else
            {
                _tail.Next = entry;
            }

            _tail = entry;
        }

        public void Unlink(TimeoutEntry entry)
        {
            if (entry.Previous is null)
            {
                Head = entry.Next;
            }
            else
            {
                entry.Previous.Next = entry.Next;
            }

            if (entry.Next is null)
            {
                _tail = entry.Previous;
            }
            else
            {
                entry.Next.Previous = entry.Previous;
            }

            entry.Lane = null;
            entry.Previous = entry.Next = null;
        }
    }
}
