namespace Edge.Gateway.Config;

/// <summary>One kept version of an endpoint's code; compile results refer to it.</summary>
internal sealed record EndpointRevision(string EndpointId, int Revision, string Code, string CreatedAt, string? CompileHash);
