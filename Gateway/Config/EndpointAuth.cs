namespace Edge.Gateway.Config;

/// <summary>The values of an endpoint's <c>auth</c> field.</summary>
internal static class EndpointAuth
{
    /// <summary>Anyone may call.</summary>
    public const string None = "none";

    /// <summary>A traffic key (<c>Authorization: Bearer</c> or <c>X-API-Key</c>) whose scopes reach the endpoint.</summary>
    public const string ApiKey = "api_key";

    /// <summary>A client certificate verified against <c>--client-ca</c>, with one of the allowed names if any are set.</summary>
    public const string Mtls = "mtls";

    public static readonly string[] All = [None, ApiKey, Mtls];
}
