namespace Edge.Gateway.Routing;

internal enum RouteMatchKind
{
    NotFound,
    MethodNotAllowed,
    Found,
}
