namespace Edge.Gateway.Admin;

/// <summary>Every admin route but <c>GET /api/health</c> needs <c>Authorization: Bearer &lt;token&gt;</c>.</summary>
internal sealed class AdminAuthMiddleware(RequestDelegate next, string token)
{
    public Task InvokeAsync(HttpContext http)
    {
        var path = http.Request.Path;
        if (!path.StartsWithSegments("/api") || (path.Equals("/api/health") && HttpMethods.IsGet(http.Request.Method)))
        {
            return next(http);
        }

        var header = http.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && AdminToken.Matches(token, header.AsSpan(7).Trim()))
        {
            return next(http);
        }

        http.Response.Headers.WWWAuthenticate = "Bearer";
        var message = header.Length == 0
            ? "missing bearer token: send 'Authorization: Bearer <token>' (see DIR/admin-token or EDGE_ADMIN_TOKEN)"
            : "invalid bearer token";
        return AdminJson.Fail(StatusCodes.Status401Unauthorized, message).ExecuteAsync(http);
    }
}
