namespace Edge.Gateway.Config;

internal sealed record EndpointFilter(string? Domain = null, string? CollectionId = null, bool? Enabled = null);
