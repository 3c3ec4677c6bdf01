using System.Text.Json.Nodes;

namespace Edge.Gateway.Policies;

/// <summary>
/// An endpoint's <c>cors</c>: the origins (absolute origins, or <c>*</c>), methods and request headers browsers may use
/// cross-origin, whether credentials are allowed, and how long a preflight answer may be cached.
/// Empty <see cref="Methods"/> means the endpoint's own method.
/// </summary>
internal sealed record CorsSettings(IReadOnlyList<string> Origins, IReadOnlyList<string> Methods, IReadOnlyList<string> Headers, bool Credentials, long? MaxAgeSeconds)
{
    public const int MaxItems = 100;
    public const long MaxMaxAgeSeconds = 86_400;

    private static readonly string[] Fields = ["origins", "methods", "headers", "credentials", "max_age_seconds"];

    public bool AnyOrigin => Origins is ["*"];

    public string ToJson()
    {
        var obj = new JsonObject
        {
            ["origins"] = new JsonArray([.. Origins.Select(o => (JsonNode)o)]),
            ["methods"] = new JsonArray([.. Methods.Select(m => (JsonNode)m)]),
            ["headers"] = new JsonArray([.. Headers.Select(h => (JsonNode)h)]),
            ["credentials"] = Credentials,
        };
        if (MaxAgeSeconds is { } maxAge)
        {
            obj["max_age_seconds"] = maxAge;
        }

        return obj.ToJsonString();
    }

    public static CorsSettings FromJson(string text) => Parse(JsonNode.Parse(text)).Settings
        ?? throw new InvalidOperationException("the stored cors is not valid");

    /// <summary>Checks a <c>cors</c> value: the settings (null for none), or every problem found, joined.</summary>
    public static (CorsSettings? Settings, string? Problem) Parse(JsonNode? node)
    {
        if (node is null)
        {
            return (null, null);
        }

        if (node is not JsonObject obj)
        {
            return (null, "must be an object {origins, methods, headers, credentials, max_age_seconds} or null");
        }

        var problems = new List<string>();
        foreach (var (name, _) in obj)
        {
            if (!Fields.Contains(name, StringComparer.Ordinal))
            {
                problems.Add($"unknown field '{name}' (known: {string.Join(", ", Fields)})");
            }
        }

        var origins = new List<string>();
        if (PolicyJson.Strings(obj, "origins", MaxItems, problems) is { } rawOrigins)
        {
            foreach (var origin in rawOrigins)
            {
                if (origin == "*")
                {
                    origins.Add("*");
                }
                else if (NormalizeOrigin(origin) is { } normal)
                {
                    origins.Add(normal);
                }
                else
                {
                    problems.Add($"origins: '{origin}' is not \"*\" or an absolute origin such as https://app.example (scheme and host, optional port, no path)");
                }
            }

            if (origins.Contains("*") && origins.Count > 1)
            {
                problems.Add("origins: \"*\" must be alone");
            }
        }

        if (origins.Count == 0 && !problems.Any(p => p.StartsWith("origins", StringComparison.Ordinal)))
        {
            problems.Add("origins is required: [\"*\"] or a list of origins such as [\"https://app.example\"]");
        }

        var methods = Tokens(obj, "methods", upper: true, problems);
        var headers = Tokens(obj, "headers", upper: false, problems);
        var credentials = false;
        if (obj["credentials"] is { } credNode)
        {
            if (credNode.GetValueKind() is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False)
            {
                credentials = credNode.GetValue<bool>();
            }
            else
            {
                problems.Add($"credentials must be true or false, got {credNode.ToJsonString()}");
            }
        }

        if (credentials && origins.Contains("*"))
        {
            problems.Add("credentials: true cannot be combined with origins [\"*\"] (browsers refuse it): list the origins");
        }

        if (credentials && headers.Contains("*"))
        {
            problems.Add("credentials: true cannot be combined with headers [\"*\"]: list the headers");
        }

        if (credentials && methods.Contains("*"))
        {
            problems.Add("credentials: true cannot be combined with methods [\"*\"]: list the methods");
        }

        var maxAge = PolicyJson.Integer(obj, "max_age_seconds", 0, MaxMaxAgeSeconds, required: false, problems);
        return problems.Count > 0 ? (null, string.Join("; ", problems)) : (new CorsSettings(origins, methods, headers, credentials, maxAge), null);
    }

    /// <summary><c>scheme://host[:port]</c> in lower case (the default port dropped), or null when it is not an origin.</summary>
    public static string? NormalizeOrigin(string origin)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.IsFile || uri.HostNameType == UriHostNameType.Unknown ||
            string.IsNullOrEmpty(uri.Host) || uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0 ||
            origin.Contains('*', StringComparison.Ordinal))
        {
            return null;
        }

        // "https://a.example" and "https://a.example/" are the same origin; anything longer has a path.
        var rest = origin[(origin.IndexOf("://", StringComparison.Ordinal) + 3)..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0 && slash != rest.Length - 1)
        {
            return null;
        }

        var scheme = uri.Scheme.ToLowerInvariant();
        var host = uri.IdnHost.ToLowerInvariant();
        if (uri.HostNameType == UriHostNameType.IPv6)
        {
            host = "[" + host.Trim('[', ']') + "]";
        }

        return uri.IsDefaultPort ? $"{scheme}://{host}" : $"{scheme}://{host}:{uri.Port}";
    }

    private static List<string> Tokens(JsonObject obj, string field, bool upper, List<string> problems)
    {
        var list = new List<string>();
        foreach (var item in PolicyJson.Strings(obj, field, MaxItems, problems) ?? [])
        {
            if (item != "*" && !PolicyJson.IsToken(item))
            {
                problems.Add($"{field}: '{item}' is not a valid {(upper ? "method" : "header name")} (a token such as {(upper ? "GET" : "content-type")}) or \"*\"");
                continue;
            }

            var normal = upper ? item.ToUpperInvariant() : item.ToLowerInvariant();
            if (!list.Contains(normal, StringComparer.Ordinal))
            {
                list.Add(normal);
            }
        }

        if (list.Contains("*") && list.Count > 1)
        {
            problems.Add($"{field}: \"*\" must be alone");
        }

        return list;
    }
}
