using Edge.Sdk;

namespace Edge.Gateway.Handlers;

/// <summary>
/// The recent log of one endpoint: compile results, handler lines, exceptions, timeouts, load failures.
/// A fixed-size ring: old lines fall off, memory stays bounded whatever a handler writes.
/// </summary>
internal sealed class EndpointLog(TimeProvider time, int capacity = EndpointLog.DefaultCapacity) : IHandlerLogSink
{
    public const int DefaultCapacity = 500;
    public const int MaxLineLength = 16 * 1024;

    private readonly EndpointLogEntry?[] _ring = new EndpointLogEntry?[capacity];
    private readonly Lock _lock = new();
    private long _written;
    private TaskCompletionSource? _waiter;

    /// <summary>The sequence number of the newest line (0 before the first).</summary>
    public long LastSeq
    {
        get
        {
            lock (_lock)
            {
                return _written;
            }
        }
    }

    public void Info(string message, string? requestId = null) => Add("info", message, requestId);

    public void Warning(string message, string? requestId = null) => Add("warning", message, requestId);

    public void Error(string message, string? requestId = null) => Add("error", message, requestId);

    void IHandlerLogSink.Write(HandlerLogLevel level, string message, string requestId) =>
        Add(level switch { HandlerLogLevel.Warning => "warning", HandlerLogLevel.Error => "error", _ => "info" }, message, requestId);

    /// <summary>The newest <paramref name="limit"/> lines, oldest first.</summary>
    public IReadOnlyList<EndpointLogEntry> Recent(int limit)
    {
        lock (_lock)
        {
            var count = (int)Math.Min(Math.Min(_written, _ring.Length), limit);
            var result = new EndpointLogEntry[count];
            for (var i = 0; i < count; i++)
            {
                result[i] = _ring[(_written - count + i) % _ring.Length]!;
            }

            return result;
        }
    }

    /// <summary>Up to <paramref name="limit"/> lines numbered after <paramref name="seq"/> that the ring still holds, oldest first.</summary>
    public IReadOnlyList<EndpointLogEntry> After(long seq, int limit)
    {
        lock (_lock)
        {
            var first = Math.Max(Math.Max(seq, 0), _written - _ring.Length);
            var count = (int)Math.Min(Math.Max(_written - first, 0), limit);
            var result = new EndpointLogEntry[count];
            for (var i = 0; i < count; i++)
            {
                result[i] = _ring[(first + i) % _ring.Length]!;
            }

            return result;
        }
    }

    /// <summary>
    /// Completes when a line numbered after <paramref name="seq"/> exists (true) or <paramref name="timeout"/> passes
    /// (false). One shared waiter, created only while someone waits, so writing a line costs no allocation otherwise.
    /// </summary>
    public async Task<bool> WaitAfterAsync(long seq, TimeSpan timeout, CancellationToken cancel)
    {
        Task waiting;
        lock (_lock)
        {
            if (_written > seq)
            {
                return true;
            }

            _waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            waiting = _waiter.Task;
        }

        try
        {
            await waiting.WaitAsync(timeout, time, cancel);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private void Add(string level, string message, string? requestId)
    {
        if (message.Length > MaxLineLength)
        {
            message = string.Concat(message.AsSpan(0, MaxLineLength), "… (truncated)");
        }

        TaskCompletionSource? waiter;
        lock (_lock)
        {
            _ring[_written % _ring.Length] = new EndpointLogEntry(time.GetUtcNow(), level, message, requestId, _written + 1);
            _written++;
            waiter = _waiter;
            _waiter = null;
        }

        waiter?.TrySetResult();
    }
}
