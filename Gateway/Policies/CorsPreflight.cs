using Edge.Gateway.Handlers;
using Edge.Gateway.Routing;

namespace Edge.Gateway.Policies;

/// <summary>
/// Answers CORS preflights at the gateway: the endpoint is the one the browser wants to call (the route of the
/// requested method), so a preflight works without any OPTIONS route and never runs a handler.
/// </summary>
internal static class CorsPreflight
{
    /// <summary>True when the preflight was answered; false leaves the OPTIONS request to the normal path.</summary>
    public static async ValueTask<bool> TryAnswerAsync(HttpContext http, RouteTable routes, string path, string requestId)
    {
        var request = http.Request;
        var host = request.Headers.Host.ToString();
        var method = request.Headers.AccessControlRequestMethod.ToString().Trim().ToUpperInvariant();
        var match = routes.Match(host, method, path);
        if (match.Kind == RouteMatchKind.MethodNotAllowed && match.Allow is { Length: > 0 } allow)
        {
            // No route for that method, but the path has others: their CORS policy answers (and refuses the method).
            var other = allow.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)[0];
            match = routes.Match(host, other, path);
        }

        if (match.Kind != RouteMatchKind.Found || ((EndpointRuntime)match.Target!).Limits.Policies?.Cors is not { } cors)
        {
            return false;
        }

        await cors.AnswerPreflightAsync(http, requestId);
        return true;
    }
}
