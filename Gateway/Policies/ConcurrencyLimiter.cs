namespace Edge.Gateway.Policies;

/// <summary>
/// One endpoint's <c>max_concurrency</c>: at most that many requests in the handler (or streaming its body) at once,
/// at most <see cref="QueueLimit"/> more waiting for a slot, each for at most <see cref="QueueTimeoutMs"/>.
/// </summary>
internal sealed class ConcurrencyLimiter(int maxConcurrency, int queueLimit, int queueTimeoutMs)
{
    public const int DefaultQueueTimeoutMs = 1000;

    private readonly SemaphoreSlim _slots = new(maxConcurrency, maxConcurrency);
    private int _waiting;

    public int MaxConcurrency { get; } = maxConcurrency;
    public int QueueLimit { get; } = queueLimit;
    public int QueueTimeoutMs { get; } = queueTimeoutMs;

    /// <summary>Requests waiting for a slot now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Requests holding a slot now.</summary>
    public int InUse => MaxConcurrency - _slots.CurrentCount;

    /// <summary>Takes a slot, waiting in the queue when there is room in it.</summary>
    public ValueTask<ConcurrencyOutcome> AcquireAsync(CancellationToken aborted)
    {
        // PERF: a free slot costs no task and no timer.
        return _slots.Wait(0) ? ValueTask.FromResult(ConcurrencyOutcome.Acquired) : WaitAsync(aborted);
    }

    public void Release() => _slots.Release();

    private async ValueTask<ConcurrencyOutcome> WaitAsync(CancellationToken aborted)
    {
        if (Interlocked.Increment(ref _waiting) > QueueLimit)
        {
            Interlocked.Decrement(ref _waiting);
            return ConcurrencyOutcome.QueueFull;
        }

        try
        {
            return await _slots.WaitAsync(QueueTimeoutMs, aborted) ? ConcurrencyOutcome.Acquired : ConcurrencyOutcome.TimedOut;
        }
        catch (OperationCanceledException)
        {
            return ConcurrencyOutcome.ClientGone;
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }
}
