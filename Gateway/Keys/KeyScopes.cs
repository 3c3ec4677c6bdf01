namespace Edge.Gateway.Keys;

/// <summary>
/// What keys may reach. Traffic keys: <c>*</c>, <c>domain:HOST</c>, <c>collection:ID</c>, <c>endpoint:ID</c> or
/// <c>endpoint:NAME</c>, and <c>stream</c> for the built-in <c>/stream</c> routes. Admin keys: <c>*</c> or <c>RESOURCE:read|write|*</c> for the resources below, where write
/// includes read (GET and HEAD are reads, everything else writes).
/// </summary>
internal static class KeyScopes
{
    /// <summary>The admin resources, each a group of routes.</summary>
    public static readonly string[] AdminResources = ["endpoints", "domains", "collections", "services", "keys", "admin-keys", "system"];

    private static readonly string[] TrafficKinds = ["domain", "collection", "endpoint"];

    /// <summary>Null when <paramref name="scope"/> is a valid scope for a key of that kind, else why not.</summary>
    public static string? Problem(string scope, bool admin)
    {
        if (scope == "*" || (!admin && scope == "stream"))
        {
            return null;
        }

        var colon = scope.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == scope.Length - 1)
        {
            return admin
                ? $"'{scope}' is not an admin scope: use '*' or RESOURCE:read|write|* with RESOURCE one of {string.Join(", ", AdminResources)}"
                : $"'{scope}' is not a key scope: use '*', 'domain:HOST', 'collection:ID', 'endpoint:ID-or-NAME' or 'stream'";
        }

        var (kind, value) = (scope[..colon], scope[(colon + 1)..]);
        if (admin)
        {
            return AdminResources.Contains(kind, StringComparer.Ordinal) && value is "read" or "write" or "*"
                ? null
                : $"'{scope}' is not an admin scope: use '*' or RESOURCE:read|write|* with RESOURCE one of {string.Join(", ", AdminResources)}";
        }

        return TrafficKinds.Contains(kind, StringComparer.Ordinal) && value.Length <= 253 && !value.Any(char.IsControl)
            ? null
            : $"'{scope}' is not a key scope: use '*', 'domain:HOST', 'collection:ID', 'endpoint:ID-or-NAME' or 'stream'";
    }

    /// <summary>Whether a traffic key with <paramref name="scopes"/> may call this endpoint.</summary>
    public static bool AllowsEndpoint(IReadOnlyList<string> scopes, string id, string name, string domain, string? collectionId)
    {
        // PERF: by index, not foreach: enumerating an IReadOnlyList allocates an enumerator on every request.
        for (var i = 0; i < scopes.Count; i++)
        {
            var scope = scopes[i];
            if (scope == "*" ||
                Matches(scope, "endpoint:", id) || Matches(scope, "endpoint:", name) ||
                (collectionId is not null && Matches(scope, "collection:", collectionId)) ||
                (scope.StartsWith("domain:", StringComparison.Ordinal) && scope.AsSpan(7).Equals(domain, StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The resource and action an admin call needs, from its path under <c>/api</c> and its method.</summary>
    public static (string Resource, string Action) ForAdminCall(string method, PathString path)
    {
        var action = HttpMethods.IsGet(method) || HttpMethods.IsHead(method) ? "read" : "write";
        var segments = (path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        var first = segments.Length > 1 ? segments[1] : "";
        var resource = first switch
        {
            "endpoints" => "endpoints",
            "import" => "endpoints",
            "export" => "endpoints",
            "metrics" => "endpoints",
            "test-request" => "endpoints",
            "domains" => "domains",
            "collections" => "collections",
            "services" or "minio" or "service-types" => "services",
            "keys" => "keys",
            "admin-keys" => "admin-keys",
            _ => "system",
        };

        // Imports create endpoints, and a test request calls one: writes whatever the method says.
        return (resource, first is "import" or "test-request" ? "write" : action);
    }

    /// <summary>Whether admin <paramref name="scopes"/> grant <paramref name="action"/> on <paramref name="resource"/>.</summary>
    public static bool AllowsAdmin(IReadOnlyList<string> scopes, string resource, string action)
    {
        foreach (var scope in scopes)
        {
            if (scope == "*" || scope == resource + ":*" || scope == resource + ":write" ||
                (action == "read" && scope == resource + ":read"))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether a holder of <paramref name="held"/> may hand out a key with <paramref name="wanted"/> (no escalation).</summary>
    public static bool Covers(IReadOnlyList<string> held, IReadOnlyList<string> wanted)
    {
        foreach (var scope in wanted)
        {
            if (held.Contains("*"))
            {
                continue;
            }

            if (scope == "*")
            {
                return false;
            }

            var colon = scope.IndexOf(':', StringComparison.Ordinal);
            var (resource, action) = (scope[..colon], scope[(colon + 1)..]);
            var ok = action == "read"
                ? AllowsAdmin(held, resource, "read")
                : held.Contains(resource + ":*") || (action == "write" && held.Contains(resource + ":write"));
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static bool Matches(string scope, string kind, string value) =>
        scope.Length == kind.Length + value.Length && scope.StartsWith(kind, StringComparison.Ordinal) && scope.EndsWith(value, StringComparison.Ordinal);
}
