namespace Edge.Gateway.Routing;

/// <summary>A target and the names its pattern gives to the captured segments, in order.</summary>
internal sealed record RouteEntry(IRouteTarget Target, string[] ParameterNames);
