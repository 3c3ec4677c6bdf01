using System.Collections.Concurrent;
using Edge.Gateway.Hosting;

namespace Edge.Gateway.Handlers;

/// <summary>
/// Every endpoint's runtime and every loaded version. A swap publishes the new version at once; the old one
/// drains (in-flight requests finish on it) and unloads when idle or when its drain timeout passes.
/// </summary>
internal sealed partial class HandlerRegistry : IDisposable
{
    private readonly ConcurrentDictionary<string, EndpointRuntime> _runtimes = new(StringComparer.Ordinal);
    private readonly List<(HandlerVersion Version, long Deadline)> _draining = [];
    private readonly List<WeakReference> _contexts = [];
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly ILogger<HandlerRegistry> _logger;
    private readonly ITimer _drainTimer;
    private readonly ITimer _collectTimer;
    private int _collectScheduled;
    private long _unloadedTotal;
    private long _handledByRemoved;

    public HandlerRegistry(TimeProvider time, ILogger<HandlerRegistry> logger)
    {
        _time = time;
        _logger = logger;
        _drainTimer = time.CreateTimer(_ => ForceExpiredDrains(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _collectTimer = time.CreateTimer(_ => CollectUnloaded(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public EndpointRuntime GetOrCreate(string endpointId) =>
        _runtimes.GetOrAdd(endpointId, id => new EndpointRuntime(id, new EndpointLog(_time)));

    public EndpointRuntime? Find(string endpointId) => _runtimes.GetValueOrDefault(endpointId);

    public IEnumerable<EndpointRuntime> Runtimes => _runtimes.Values;

    /// <summary>Loads <paramref name="compiled"/> into a new context and makes it the endpoint's current version.</summary>
    public HandlerVersion Activate(string endpointId, int revision, CompiledHandler compiled)
    {
        var version = HandlerVersion.Load(endpointId, revision, compiled);
        lock (_lock)
        {
            _contexts.RemoveAll(w => !w.IsAlive);
            _contexts.Add(version.ContextReference);
        }

        var runtime = GetOrCreate(endpointId);
        var previous = runtime.Swap(version);
        if (previous is not null)
        {
            Log.Swapped(_logger, endpointId, previous.Revision, revision, previous.ActiveRequests);
            Retire(previous, runtime.Limits.DrainTimeoutMs);
        }

        return version;
    }

    /// <summary>Stops routing to the endpoint; its in-flight requests finish on the version they started on.</summary>
    public void Deactivate(string endpointId)
    {
        if (Find(endpointId)?.Swap(null) is { } previous)
        {
            Retire(previous, Find(endpointId)?.Limits.DrainTimeoutMs ?? EndpointLimits.Default.DrainTimeoutMs);
        }
    }

    /// <summary>Forgets a deleted endpoint (after draining its version).</summary>
    public void Remove(string endpointId)
    {
        Deactivate(endpointId);
        if (_runtimes.TryRemove(endpointId, out var removed))
        {
            Interlocked.Add(ref _handledByRemoved, removed.Handled);
        }
    }

    /// <summary>Requests answered by handlers since start, deleted endpoints included.</summary>
    public long RequestsHandled => Interlocked.Read(ref _handledByRemoved) + _runtimes.Values.Sum(r => r.Handled);

    /// <summary>How many replaced versions of the endpoint are still draining.</summary>
    public int DrainingOf(string endpointId)
    {
        lock (_lock)
        {
            var count = 0;
            foreach (var (version, _) in _draining)
            {
                if (version.EndpointId == endpointId)
                {
                    count++;
                }
            }

            return count;
        }
    }

    public RegistryStats Stats()
    {
        int loaded = 0, active = 0;
        foreach (var runtime in _runtimes.Values)
        {
            if (runtime.Current is { } version)
            {
                loaded++;
                active += version.ActiveRequests;
            }
        }

        lock (_lock)
        {
            var drainingRequests = 0;
            foreach (var (version, _) in _draining)
            {
                drainingRequests += version.ActiveRequests;
            }

            _contexts.RemoveAll(w => !w.IsAlive);
            return new RegistryStats(loaded, _draining.Count, active, drainingRequests, _contexts.Count, Interlocked.Read(ref _unloadedTotal));
        }
    }

    private void Retire(HandlerVersion version, int drainTimeoutMs)
    {
        lock (_lock)
        {
            _draining.Add((version, _time.GetTimestamp() + (long)(drainTimeoutMs * (_time.TimestampFrequency / 1000.0))));
            _drainTimer.Change(TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(250));
        }

        // Outside the lock: an idle version unloads right here and calls back into OnIdle.
        version.Retire(OnIdle);
    }

    private void OnIdle(HandlerVersion version)
    {
        lock (_lock)
        {
            _draining.RemoveAll(d => ReferenceEquals(d.Version, version));
            StopTimerIfIdle();
        }

        Interlocked.Increment(ref _unloadedTotal);

        // Drop the serializer's emitted accessors for the unloaded types, or they pin the context (see SerializerCaches).
        SerializerCaches.Clear();
        Log.Unloaded(_logger, version.EndpointId, version.Revision);
        ScheduleCollection();
    }

    /// <summary>
    /// An unloaded context's code and loader memory go back only after a full collection, which a quiet gateway
    /// with a small heap may not run for a long time. One collection at most every two seconds, after unloads only.
    /// </summary>
    private void ScheduleCollection()
    {
        if (Interlocked.Exchange(ref _collectScheduled, 1) == 0)
        {
            _collectTimer.Change(TimeSpan.FromSeconds(2), Timeout.InfiniteTimeSpan);
        }
    }

    private void CollectUnloaded()
    {
        Volatile.Write(ref _collectScheduled, 0);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: false);
    }

    private void ForceExpiredDrains()
    {
        List<HandlerVersion>? expired = null;
        var now = _time.GetTimestamp();
        lock (_lock)
        {
            foreach (var (version, deadline) in _draining)
            {
                if (now >= deadline)
                {
                    (expired ??= []).Add(version);
                }
            }
        }

        foreach (var version in expired ?? [])
        {
            Log.DrainTimedOut(_logger, version.EndpointId, version.Revision, version.ActiveRequests);
            Find(version.EndpointId)?.Log.Warning(
                $"revision {version.Revision} did not drain within its drain timeout: released with {version.ActiveRequests} request(s) still running");
            version.Unload();
        }
    }

    private void StopTimerIfIdle()
    {
        if (_draining.Count == 0)
        {
            _drainTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose()
    {
        _drainTimer.Dispose();
        _collectTimer.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.VersionSwapped, LogLevel.Information, "Endpoint {EndpointId}: revision {Old} replaced by {New}; {InFlight} request(s) draining")]
        public static partial void Swapped(ILogger logger, string endpointId, int old, int @new, int inFlight);

        [LoggerMessage(EventIds.VersionUnloaded, LogLevel.Debug, "Endpoint {EndpointId}: revision {Revision} unloaded")]
        public static partial void Unloaded(ILogger logger, string endpointId, int revision);

        [LoggerMessage(EventIds.DrainTimedOut, LogLevel.Warning, "Endpoint {EndpointId}: revision {Revision} released after its drain timeout with {InFlight} request(s) running")]
        public static partial void DrainTimedOut(ILogger logger, string endpointId, int revision, int inFlight);
    }
}
