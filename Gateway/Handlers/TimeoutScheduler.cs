namespace Edge.Gateway.Handlers;

/// <summary>
/// One shared ticker for every handler timeout, instead of a timer per request. Only requests whose handler
/// did not complete synchronously are registered; the ticker runs only while some are.
/// </summary>
internal sealed class TimeoutScheduler : IDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(10);

    private readonly PriorityQueue<TimeoutEntry, long> _queue = new();
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private bool _running;

    public TimeoutScheduler(TimeProvider time)
    {
        _time = time;
        _timer = time.CreateTimer(_ => Fire(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Arms a timeout that calls <paramref name="onTimeout"/> and completes <see cref="TimeoutEntry.Expired"/>.</summary>
    public TimeoutEntry Register(long deadlineTimestamp, Action onTimeout)
    {
        var entry = new TimeoutEntry(onTimeout);
        lock (_lock)
        {
            _queue.Enqueue(entry, deadlineTimestamp);
            if (!_running)
            {
                _running = true;
                _timer.Change(Tick, Tick);
            }
        }

        return entry;
    }

    private void Fire()
    {
        var now = _time.GetTimestamp();
        List<TimeoutEntry>? due = null;
        lock (_lock)
        {
            // Entries completed meanwhile are dropped lazily as they reach the head.
            while (_queue.TryPeek(out var entry, out var deadline) && (deadline <= now || entry.IsDone))
            {
                _queue.Dequeue();
                if (!entry.IsDone)
                {
                    (due ??= []).Add(entry);
                }
            }

            if (_queue.Count == 0 && _running)
            {
                _running = false;
                _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }
        }

        foreach (var entry in due ?? [])
        {
            entry.Expire();
        }
    }

    public void Dispose() => _timer.Dispose();
}
