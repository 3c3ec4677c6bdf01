namespace Edge.Gateway.Hosting;

/// <summary>When this process started serving (for uptime).</summary>
internal sealed class GatewayClock(TimeProvider time)
{
    public DateTimeOffset StartedAt { get; } = time.GetUtcNow();
}
