namespace Edge.Gateway.Handlers;

/// <summary>The per-endpoint limits the request path reads; replaced whole when the endpoint is edited.</summary>
internal sealed record EndpointLimits(int TimeoutMs, int DrainTimeoutMs, long MaxBodyBytes)
{
    public static readonly EndpointLimits Default = new(
        Config.EndpointRecord.DefaultTimeoutMs, Config.EndpointRecord.DefaultDrainTimeoutMs, Config.EndpointRecord.DefaultMaxBodyBytes);
}
