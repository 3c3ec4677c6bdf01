namespace Edge.Services;

/// <summary>
/// Backpressure for one service: at most <see cref="MaxInFlight"/> operations reach the backend at once, at
/// most <see cref="MaxQueue"/> more wait (in arrival order) for a slot, and the rest are refused at once.
/// </summary>
internal sealed class ServiceGate(int maxInFlight, int maxQueue)
{
    private readonly SemaphoreSlim _slots = new(maxInFlight, maxInFlight);
    private int _inFlight;
    private int _queued;
    private int _peak;

    public int MaxInFlight { get; } = maxInFlight;
    public int MaxQueue { get; } = maxQueue;
    public int InFlight => Volatile.Read(ref _inFlight);
    public int Queued => Volatile.Read(ref _queued);

    /// <summary>The most operations ever in flight at once (never above <see cref="MaxInFlight"/>).</summary>
    public int PeakInFlight => Volatile.Read(ref _peak);

    /// <summary>
    /// Takes a slot, waiting in the queue when none is free. False when the queue is full; throws
    /// <see cref="OperationCanceledException"/> when <paramref name="cancel"/> fires while waiting.
    /// </summary>
    public ValueTask<bool> EnterAsync(CancellationToken cancel)
    {
        // PERF: the uncontended case takes the slot synchronously, without a task.
        if (_slots.Wait(0))
        {
            Entered();
            return ValueTask.FromResult(true);
        }

        return WaitAsync(cancel);
    }

    public void Exit()
    {
        Interlocked.Decrement(ref _inFlight);
        _slots.Release();
    }

    /// <summary>Waits until nothing is in flight or queued, or <paramref name="limit"/> passes; true when idle.</summary>
    public async Task<bool> WaitIdleAsync(TimeSpan limit)
    {
        var until = DateTime.UtcNow + limit;
        while (InFlight > 0 || Queued > 0)
        {
            if (DateTime.UtcNow >= until)
            {
                return false;
            }

            await Task.Delay(10);
        }

        return true;
    }

    private async ValueTask<bool> WaitAsync(CancellationToken cancel)
    {
        if (Interlocked.Increment(ref _queued) > MaxQueue)
        {
            Interlocked.Decrement(ref _queued);
            return false;
        }

        try
        {
            await _slots.WaitAsync(cancel).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _queued);
        }

        Entered();
        return true;
    }

    private void Entered()
    {
        var now = Interlocked.Increment(ref _inFlight);
        var peak = Volatile.Read(ref _peak);
        while (now > peak)
        {
            var seen = Interlocked.CompareExchange(ref _peak, now, peak);
            if (seen == peak)
            {
                break;
            }

            peak = seen;
        }
    }
}
