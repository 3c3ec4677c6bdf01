using Edge.Gateway.Config;
using Edge.Gateway.Keys;

namespace Edge.Gateway.Admin;

/// <summary>
/// Every admin route but <c>GET /api/health</c> needs <c>Authorization: Bearer &lt;credential&gt;</c>: the root token
/// (everything) or an admin key, which reaches only what its scopes grant (403 naming the scope otherwise).
/// </summary>
internal sealed class AdminAuthMiddleware(RequestDelegate next, string token, KeyRing keys)
{
    /// <summary>Where the verified caller is left for the routes (<see cref="AdminCaller"/>).</summary>
    public const string CallerKey = "edge.admin.caller";

    public Task InvokeAsync(HttpContext http)
    {
        var path = http.Request.Path;
        if (!path.StartsWithSegments("/api") || (path.Equals("/api/health") && HttpMethods.IsGet(http.Request.Method)))
        {
            return next(http);
        }

        var header = http.Request.Headers.Authorization.ToString();
        var presented = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header.AsSpan(7).Trim() : [];
        if (presented.Length > 0 && AdminToken.Matches(token, presented))
        {
            http.Items[CallerKey] = AdminCaller.Root;
            return next(http);
        }

        string? problem = null;
        if (presented.StartsWith(KeyRing.AdminTag, StringComparison.Ordinal) &&
            keys.Verify(presented, ApiKeyRecord.Admin, out problem) is { } key)
        {
            // GET /api/whoami answers any valid credential: the page asks it who it is before anything else.
            var (resource, action) = KeyScopes.ForAdminCall(http.Request.Method, path);
            if (!IsWhoAmI(http.Request) && !KeyScopes.AllowsAdmin(key.Scopes, resource, action))
            {
                return AdminJson.Fail(
                    StatusCodes.Status403Forbidden,
                    $"admin key '{key.Name}' lacks the scope {resource}:{action} (it has {string.Join(", ", key.Scopes)})").ExecuteAsync(http);
            }

            http.Items[CallerKey] = new AdminCaller(key.Id, key.Name, key.Scopes, key.ExpiresAt);
            return next(http);
        }

        http.Response.Headers.WWWAuthenticate = "Bearer";
        var message = header.Length == 0
            ? "missing bearer token: send 'Authorization: Bearer <token>' (see DIR/admin-token or EDGE_ADMIN_TOKEN)"
            : problem is null ? "invalid admin token"
            : problem.Contains(" expired at ", StringComparison.Ordinal) ? $"admin key expired: {problem}"
            : $"invalid admin key: {problem}";
        return AdminJson.Fail(StatusCodes.Status401Unauthorized, message).ExecuteAsync(http);
    }

    private static bool IsWhoAmI(HttpRequest request) => request.Path.Equals("/api/whoami") && HttpMethods.IsGet(request.Method);
}
