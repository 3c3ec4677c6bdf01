namespace Edge.Gateway.Handlers;

/// <summary>One armed timeout; <see cref="Complete"/> disarms (and unlinks) it when the handler finishes first.</summary>
internal sealed class TimeoutEntry(TimeoutScheduler scheduler, long deadline, Action onTimeout)
{
    private readonly TaskCompletionSource _expired = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Expired => _expired.Task;

    public long Deadline { get; } = deadline;

    // Guarded by the scheduler's lock.
    internal TimeoutScheduler.TimeoutLane? Lane { get; set; }

    internal TimeoutEntry? Previous { get; set; }

    internal TimeoutEntry? Next { get; set; }

    public void Complete() => scheduler.Remove(this);

    public void Expire()
    {
        onTimeout();
        _expired.TrySetResult();
    }
}
