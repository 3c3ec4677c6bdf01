using Edge.Gateway.OpenApi.Validation;

namespace Edge.Gateway.Handlers;

/// <summary>
/// The per-endpoint limits the request path reads; replaced whole when the endpoint is edited. <see cref="Validator"/>
/// checks requests against the endpoint's OpenAPI operation when validation is on. <see cref="FileRoots"/> are the
/// folders a handler's <c>Response.File</c> may read (full paths; empty refuses every file). With <see cref="StreamBody"/> the
/// body is not buffered: the handler reads it through <c>req.BodyStream</c>.
/// </summary>
internal sealed record EndpointLimits(int TimeoutMs, int DrainTimeoutMs, long MaxBodyBytes, RequestValidator? Validator = null, IReadOnlyList<string>? FileRoots = null, bool StreamBody = false)
{
    /// <summary>Who may call (<see cref="Config.EndpointAuth"/>).</summary>
    public string Auth { get; init; } = Config.EndpointAuth.None;

    /// <summary>With <c>mtls</c>: the certificate names (CN or SAN) accepted; empty accepts any verified certificate.</summary>
    public IReadOnlyList<string> AllowedClientNames { get; init; } = [];

    /// <summary>The endpoint's name, host and collection, for API-key scopes.</summary>
    public string Name { get; init; } = "";

    public string Domain { get; init; } = "*";

    public string? CollectionId { get; init; }

    /// <summary>The folders a handler's <c>Response.File</c> may read; empty when none.</summary>
    public IReadOnlyList<string> FileRoots { get; init; } = FileRoots ?? [];

    /// <summary>The endpoint's traffic policies (rate limit, concurrency limit, CORS); null when it has none.</summary>
    public Policies.EndpointPolicies? Policies { get; init; }

    public static readonly EndpointLimits Default = new(
        Config.EndpointRecord.DefaultTimeoutMs, Config.EndpointRecord.DefaultDrainTimeoutMs, Config.EndpointRecord.DefaultMaxBodyBytes);
}
