namespace Edge.Gateway.Routing;

/// <summary>The outcome of a lookup: a target with its path parameters, or why there is none.</summary>
internal readonly struct RouteMatch
{
    private RouteMatch(RouteMatchKind kind, IRouteTarget? target, Dictionary<string, string>? parameters, string? allow)
    {
        Kind = kind;
        Target = target;
        Parameters = parameters;
        Allow = allow;
    }

    public RouteMatchKind Kind { get; }
    public IRouteTarget? Target { get; }

    /// <summary>Null for literal routes: they allocate nothing.</summary>
    public Dictionary<string, string>? Parameters { get; }

    /// <summary>For 405: the methods the path does accept, as an Allow header value.</summary>
    public string? Allow { get; }

    public static RouteMatch NotFound => default;

    public static RouteMatch Found(IRouteTarget target, Dictionary<string, string>? parameters) =>
        new(RouteMatchKind.Found, target, parameters, null);

    public static RouteMatch MethodNotAllowed(string allow) => new(RouteMatchKind.MethodNotAllowed, null, null, allow);
}
