namespace Edge.Gateway.Handlers;

/// <summary>One armed timeout; <see cref="Complete"/> disarms it when the handler finishes first.</summary>
internal sealed class TimeoutEntry(Action onTimeout)
{
    private readonly TaskCompletionSource _expired = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _state;

    public Task Expired => _expired.Task;

    public bool IsDone => Volatile.Read(ref _state) != 0;

    public void Complete() => Interlocked.CompareExchange(ref _state, 1, 0);

    public void Expire()
    {
        if (Interlocked.CompareExchange(ref _state, 2, 0) == 0)
        {
            onTimeout();
            _expired.TrySetResult();
        }
    }
}
