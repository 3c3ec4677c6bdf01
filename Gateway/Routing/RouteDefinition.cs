namespace Edge.Gateway.Routing;

/// <summary>One route to put in a table: host (or "*"), upper-case method, pattern and target.</summary>
internal sealed record RouteDefinition(string Host, string Method, RoutePattern Pattern, IRouteTarget Target);
