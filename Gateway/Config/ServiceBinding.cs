namespace Edge.Gateway.Config;

/// <summary>An endpoint may use a service under <see cref="PoolId"/>, the name its handler code passes to the context.</summary>
internal sealed record ServiceBinding(string EndpointId, string ServiceId, string PoolId);
