using Edge.Gateway.OpenApi.Validation;

namespace Edge.Gateway.Handlers;

/// <summary>
/// The per-endpoint limits the request path reads; replaced whole when the endpoint is edited. <see cref="Validator"/>
/// checks requests against the endpoint's OpenAPI operation when validation is on.
/// </summary>
internal sealed record EndpointLimits(int TimeoutMs, int DrainTimeoutMs, long MaxBodyBytes, RequestValidator? Validator = null)
{
    public static readonly EndpointLimits Default = new(
        Config.EndpointRecord.DefaultTimeoutMs, Config.EndpointRecord.DefaultDrainTimeoutMs, Config.EndpointRecord.DefaultMaxBodyBytes);
}
