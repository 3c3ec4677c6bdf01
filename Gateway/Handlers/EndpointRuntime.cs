using Edge.Gateway.Routing;

namespace Edge.Gateway.Handlers;

/// <summary>
/// The long-lived runtime side of one endpoint: which version serves it now, its limits, log and counters.
/// Route tables point at these, so a version swap never needs a new route table.
/// </summary>
internal sealed class EndpointRuntime(string id, EndpointLog log) : IRouteTarget
{
    private HandlerVersion? _current;
    private EndpointLimits _limits = EndpointLimits.Default;
    private long _handled;

    public string Id { get; } = id;
    public EndpointLog Log { get; } = log;
    public HandlerVersion? Current => Volatile.Read(ref _current);
    public long Handled => Interlocked.Read(ref _handled);

    /// <summary>Live per-second counts and latencies (recorded by the gateway unless <c>--endpoint-metrics off</c>).</summary>
    public EndpointMetrics Metrics { get; } = new();

    public EndpointLimits Limits
    {
        get => Volatile.Read(ref _limits);
        set => Volatile.Write(ref _limits, value);
    }

    /// <summary>Publishes <paramref name="next"/> (null stops routing) and returns the version it replaced.</summary>
    public HandlerVersion? Swap(HandlerVersion? next) => Interlocked.Exchange(ref _current, next);

    /// <summary>The version to run this request on, counted in; null when the endpoint is not running.</summary>
    public HandlerVersion? Acquire()
    {
        while (true)
        {
            var version = Volatile.Read(ref _current);
            if (version is null || version.TryAcquire())
            {
                return version;
            }

            // Retired between the read and the count: a newer version is already current.
        }
    }

    public void CountHandled() => Interlocked.Increment(ref _handled);
}
