using Edge.Gateway.Routing;

namespace Edge.Bench;

/// <summary>The smallest route target: the benchmarks measure the table, not what it points at.</summary>
internal sealed class BenchRouteTarget(string id) : IRouteTarget
{
    public string Id { get; } = id;
}
