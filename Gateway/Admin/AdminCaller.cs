namespace Edge.Gateway.Admin;

/// <summary>
/// Who made an admin call: the root token (<see cref="KeyId"/> null, named <c>root</c>) or an admin key, its scopes
/// and its expiry (ISO 8601, null for never).
/// </summary>
internal sealed record AdminCaller(string? KeyId, string Name, IReadOnlyList<string> Scopes, string? ExpiresAt = null)
{
    public static readonly AdminCaller Root = new(null, "root", ["*"]);

    public static AdminCaller Of(HttpContext http) =>
        http.Items.TryGetValue(AdminAuthMiddleware.CallerKey, out var caller) && caller is AdminCaller c ? c : Nobody;

    private static readonly AdminCaller Nobody = new(null, "anonymous", []);
}
