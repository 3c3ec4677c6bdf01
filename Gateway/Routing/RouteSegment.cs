namespace Edge.Gateway.Routing;

/// <summary>One path segment: a literal, or a parameter (then <see cref="Value"/> is its name).</summary>
internal readonly record struct RouteSegment(string Value, bool IsParameter);
