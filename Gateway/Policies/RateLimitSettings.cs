using System.Text.Json.Nodes;

namespace Edge.Gateway.Policies;

/// <summary>
/// An endpoint's <c>rate_limit</c>: a token bucket of <see cref="Permits"/> refilled continuously over
/// <see cref="WindowSeconds"/>, one bucket per <see cref="Key"/> (<c>ip</c>, <c>api_key</c> or <c>header:&lt;name&gt;</c>);
/// <see cref="Headers"/> says which responses carry the <c>RateLimit-*</c> headers (<c>refused</c>: the 429s only;
/// <c>always</c>: every response).
/// </summary>
internal sealed record RateLimitSettings(long Permits, long WindowSeconds, string Key, string Headers = RateLimitSettings.HeadersRefused)
{
    public const string HeadersRefused = "refused";
    public const string HeadersAlways = "always";
    public const long MaxPermits = 1_000_000;
    public const long MaxWindowSeconds = 86_400;
    public const int MaxHeaderNameLength = 100;

    private static readonly string[] Fields = ["permits", "window_seconds", "key", "headers"];

    /// <summary>The header named by a <c>header:&lt;name&gt;</c> key; null for the other kinds.</summary>
    public string? HeaderName => Key.StartsWith("header:", StringComparison.Ordinal) ? Key["header:".Length..] : null;

    public string ToJson() => new JsonObject { ["permits"] = Permits, ["window_seconds"] = WindowSeconds, ["key"] = Key, ["headers"] = Headers }.ToJsonString();

    public static RateLimitSettings FromJson(string text) => Parse(JsonNode.Parse(text)).Settings
        ?? throw new InvalidOperationException("the stored rate_limit is not valid");

    /// <summary>Checks a <c>rate_limit</c> value: the settings (null for none), or every problem found, joined.</summary>
    public static (RateLimitSettings? Settings, string? Problem) Parse(JsonNode? node)
    {
        if (node is null)
        {
            return (null, null);
        }

        if (node is not JsonObject obj)
        {
            return (null, "must be an object {permits, window_seconds, key, headers} or null");
        }

        var problems = new List<string>();
        foreach (var (name, _) in obj)
        {
            if (!Fields.Contains(name, StringComparer.Ordinal))
            {
                problems.Add($"unknown field '{name}' (known: {string.Join(", ", Fields)})");
            }
        }

        var permits = PolicyJson.Integer(obj, "permits", 1, MaxPermits, required: true, problems);
        var window = PolicyJson.Integer(obj, "window_seconds", 1, MaxWindowSeconds, required: true, problems);
        var key = "ip";
        if (obj["key"] is { } keyNode)
        {
            if (keyNode is not JsonValue value || !value.TryGetValue<string>(out var text))
            {
                problems.Add("key must be a string: \"ip\", \"api_key\" or \"header:<name>\"");
            }
            else if (KeyProblem(text) is { } problem)
            {
                problems.Add(problem);
            }
            else
            {
                key = text.StartsWith("header:", StringComparison.Ordinal) ? "header:" + text["header:".Length..].ToLowerInvariant() : text;
            }
        }

        var headers = HeadersRefused;
        if (obj["headers"] is { } headersNode)
        {
            if (headersNode is JsonValue value && value.TryGetValue<string>(out var text) && text is HeadersRefused or HeadersAlways)
            {
                headers = text;
            }
            else
            {
                problems.Add($"headers must be \"{HeadersRefused}\" (RateLimit-* on 429 answers only, the default) or \"{HeadersAlways}\" (on every response), got {headersNode.ToJsonString()}");
            }
        }

        return problems.Count > 0 ? (null, string.Join("; ", problems)) : (new RateLimitSettings(permits!.Value, window!.Value, key, headers), null);
    }

    private static string? KeyProblem(string key)
    {
        if (key is "ip" or "api_key")
        {
            return null;
        }

        if (!key.StartsWith("header:", StringComparison.Ordinal))
        {
            return $"key must be \"ip\", \"api_key\" or \"header:<name>\", got '{key}'";
        }

        var name = key["header:".Length..];
        return name.Length is 0 or > MaxHeaderNameLength || !PolicyJson.IsToken(name)
            ? $"key 'header:<name>' needs a header name of 1 to {MaxHeaderNameLength} token characters, got '{name}'"
            : null;
    }
}
