namespace Edge.Gateway.Admin;

/// <summary>Who made an admin call: the root token (<see cref="KeyId"/> null) or an admin key and its scopes.</summary>
internal sealed record AdminCaller(string? KeyId, string Name, IReadOnlyList<string> Scopes)
{
    public static readonly AdminCaller Root = new(null, "root token", ["*"]);

    public static AdminCaller Of(HttpContext http) =>
        http.Items.TryGetValue(AdminAuthMiddleware.CallerKey, out var caller) && caller is AdminCaller c ? c : Nobody;

    private static readonly AdminCaller Nobody = new(null, "anonymous", []);
}
