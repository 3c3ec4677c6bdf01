using Edge.Gateway.OpenApi.Validation;

namespace Edge.Gateway.Handlers;

/// <summary>
/// The per-endpoint limits the request path reads; replaced whole when the endpoint is edited. <see cref="Validator"/>
/// checks requests against the endpoint's OpenAPI operation when validation is on. <see cref="FileRoots"/> are the
/// folders a handler's <c>Response.File</c> may read (full paths; empty refuses every file).
/// </summary>
internal sealed record EndpointLimits(int TimeoutMs, int DrainTimeoutMs, long MaxBodyBytes, RequestValidator? Validator = null, IReadOnlyList<string>? FileRoots = null)
{
    /// <summary>The folders a handler's <c>Response.File</c> may read; empty when none.</summary>
    public IReadOnlyList<string> FileRoots { get; init; } = FileRoots ?? [];

    /// <summary>The endpoint's traffic policies (rate limit, concurrency limit, CORS); null when it has none.</summary>
    public Policies.EndpointPolicies? Policies { get; init; }

    public static readonly EndpointLimits Default = new(
        Config.EndpointRecord.DefaultTimeoutMs, Config.EndpointRecord.DefaultDrainTimeoutMs, Config.EndpointRecord.DefaultMaxBodyBytes);
}
