using System.Diagnostics;
using System.Text.Json.Nodes;
using Edge.Sdk;

namespace Edge.Services;

/// <summary>
/// One active service: its client or pool, and the bounds every call runs under. <see cref="RunAsync{T}"/>
/// is the single path to the backend: it refuses calls once the service is retired, fails fast for a moment
/// after the backend was found down, queues behind <see cref="Gate"/>, enforces the per-call timeout and maps
/// failures to <see cref="HandlerError"/>s (503 unreachable/saturated/inactive, 504 timeout, connector-specific
/// 500 for errors the backend reported).
/// </summary>
internal abstract partial class ServiceInstance : IAsyncDisposable
{
    /// <summary>How long calls fail fast after a call found the backend down; the next call after it tries again.</summary>
    public static readonly TimeSpan DefaultDownBackoff = TimeSpan.FromMilliseconds(500);

    private readonly ILogger _logger;
    private long _downUntil;
    private string? _downReason;
    private int _retired;
    private long _calls;
    private long _failures;
    private long _unavailable;
    private long _rejected;
    private long _timeouts;

    protected ServiceInstance(ServiceDefinition definition, ILogger logger)
    {
        Definition = definition;
        Limits = ServiceLimits.From(definition.Type, definition.Config);
        Gate = new ServiceGate(Limits.MaxInFlight, Limits.MaxQueue);
        _logger = logger;
    }

    public ServiceDefinition Definition { get; }
    public string Id => Definition.Id;
    public string Name => Definition.Name;
    public string Type => Definition.Type;
    protected JsonObject Config => Definition.Config;
    public ServiceLimits Limits { get; }

    /// <summary>The fail-fast window of this instance (<see cref="DefaultDownBackoff"/>; tests widen it).</summary>
    public TimeSpan DownBackoff { get; init; } = DefaultDownBackoff;
    public ServiceGate Gate { get; }
    public bool Retired => Volatile.Read(ref _retired) != 0;

    /// <summary>Tables the records view has already created on this backend (a fresh connector checks again).</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, byte> EnsuredTables { get; } = new(StringComparer.Ordinal);

    /// <summary>The handle <see cref="Context"/> hands out for this service as <typeparamref name="T"/>, or null when this service is not of that kind.</summary>
    public abstract T? CreateHandle<T>(Context context)
        where T : class;

    /// <summary>
    /// A real round trip to the backend (a query, a PING, a listing, an SMTP EHLO/NOOP…) that returns a short
    /// description of what answered. Throws when the backend cannot be used.
    /// </summary>
    public abstract Task<string> ProbeAsync(CancellationToken cancel);

    /// <summary>True when <paramref name="error"/> means the backend could not be reached or used at all (503), as opposed to an error it reported.</summary>
    protected abstract bool IsUnavailable(Exception error);

    /// <summary>The error for a failure the backend reported (500 unless a connector knows better).</summary>
    protected virtual HandlerError Failed(Exception error) =>
        new(500, $"service '{Name}': {error.Message}", error);

    /// <summary>Runs <paramref name="operation"/> against the backend under the service's bounds.</summary>
    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> operation, CancellationToken aborted)
    {
        if (Retired)
        {
            throw HandlerError.ServiceUnavailable($"service '{Name}' is not active");
        }

        var downUntil = Volatile.Read(ref _downUntil);
        if (downUntil != 0 && Stopwatch.GetTimestamp() < downUntil)
        {
            Interlocked.Increment(ref _unavailable);
            throw HandlerError.ServiceUnavailable($"service '{Name}' is unavailable: {_downReason}");
        }

        Interlocked.Increment(ref _calls);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        deadline.CancelAfter(Limits.CallTimeoutMs);
        bool entered;
        try
        {
            entered = await Gate.EnterAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
        {
            Interlocked.Increment(ref _timeouts);
            throw TimedOut("waiting for a free slot");
        }

        if (!entered)
        {
            Interlocked.Increment(ref _rejected);
            throw HandlerError.ServiceUnavailable(
                $"service '{Name}' is saturated: {Gate.MaxInFlight} operations in flight and {Gate.MaxQueue} queued");
        }

        Task<T> task;
        try
        {
            task = operation(deadline.Token);
        }
        catch (Exception ex)
        {
            Gate.Exit();
            throw Map(ex, deadline, aborted);
        }

        if (!task.IsCompleted)
        {
            try
            {
                await task.WaitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!task.IsCompleted)
            {
                // The client library did not stop in time: the caller is answered now, and the slot stays taken
                // until the operation really ends, so the backend never sees more than MaxInFlight.
                _ = task.ContinueWith(static (t, gate) =>
                {
                    _ = t.Exception;
                    ((ServiceGate)gate!).Exit();
                }, Gate, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                if (aborted.IsCancellationRequested)
                {
                    throw new OperationCanceledException(aborted);
                }

                Interlocked.Increment(ref _timeouts);
                throw TimedOut("running");
            }
            catch
            {
                // Failed: handled below from the task itself.
            }
        }

        Gate.Exit();
        try
        {
            var result = await task.ConfigureAwait(false);
            MarkUp();
            return result;
        }
        catch (Exception ex)
        {
            throw Map(ex, deadline, aborted);
        }
    }

    /// <summary>Runs an operation without a result under the service's bounds.</summary>
    public Task RunAsync(Func<CancellationToken, Task> operation, CancellationToken aborted) =>
        RunAsync(async cancel =>
        {
            await operation(cancel).ConfigureAwait(false);
            return true;
        }, aborted);

    /// <summary>Refuses new calls; the ones already admitted (in flight or queued) go on.</summary>
    public void Retire() => Volatile.Write(ref _retired, 1);

    public ServiceStatus Status() => new(
        Gate.InFlight,
        Gate.Queued,
        Gate.PeakInFlight,
        Limits.MaxInFlight,
        Limits.MaxQueue,
        Limits.CallTimeoutMs,
        Interlocked.Read(ref _calls),
        Interlocked.Read(ref _failures),
        Interlocked.Read(ref _unavailable),
        Interlocked.Read(ref _rejected),
        Interlocked.Read(ref _timeouts),
        Volatile.Read(ref _downUntil) == 0 ? null : _downReason);

    public abstract ValueTask DisposeAsync();

    private Exception Map(Exception error, CancellationTokenSource deadline, CancellationToken aborted)
    {
        if (error is OperationCanceledException && aborted.IsCancellationRequested)
        {
            return error;
        }

        if (error is OperationCanceledException or TimeoutException && deadline.IsCancellationRequested)
        {
            Interlocked.Increment(ref _timeouts);
            return TimedOut("running");
        }

        Interlocked.Increment(ref _failures);
        if (error is HandlerError handlerError)
        {
            return handlerError;
        }

        if (IsUnavailable(error))
        {
            MarkDown(error);
            Interlocked.Increment(ref _unavailable);
            return new HandlerError(503, $"service '{Name}' is unavailable: {_downReason}", error);
        }

        return Failed(error);
    }

    private HandlerError TimedOut(string phase) =>
        new(504, $"service '{Name}' did not answer within {Limits.CallTimeoutMs} ms ({phase})");

    private void MarkDown(Exception error)
    {
        var reason = Describe(error);
        var wasUp = Volatile.Read(ref _downUntil) == 0;
        _downReason = reason;
        Volatile.Write(ref _downUntil, Stopwatch.GetTimestamp() + (long)(DownBackoff.TotalSeconds * Stopwatch.Frequency));
        if (wasUp)
        {
            Log.BackendDown(_logger, Name, Type, reason);
        }
    }

    private void MarkUp()
    {
        if (Volatile.Read(ref _downUntil) != 0 && Interlocked.Exchange(ref _downUntil, 0) != 0)
        {
            Log.BackendUp(_logger, Name, Type);
        }
    }

    /// <summary>The innermost meaningful message of a connection failure (no config, so no secrets).</summary>
    protected static string Describe(Exception error)
    {
        var message = error.Message;
        for (var inner = error.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is System.Net.Sockets.SocketException or IOException or System.Security.Authentication.AuthenticationException)
            {
                message = $"{message} ({inner.Message})";
                break;
            }
        }

        return message.Length > 300 ? message[..300] + "…" : message;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "service '{Name}' ({Type}): backend down: {Reason}")]
        public static partial void BackendDown(ILogger logger, string name, string type, string reason);

        [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "service '{Name}' ({Type}): backend answers again")]
        public static partial void BackendUp(ILogger logger, string name, string type);
    }
}
