namespace Edge.Gateway.Routing;

/// <summary>What a route leads to; the gateway's targets are endpoint runtimes.</summary>
internal interface IRouteTarget
{
    string Id { get; }
}
