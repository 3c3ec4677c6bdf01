namespace Edge.Gateway.Config;

/// <summary>One kept version of an endpoint's code; compile results refer to it. <see cref="CreatedBy"/>: the admin caller that saved it, if known.</summary>
internal sealed record EndpointRevision(string EndpointId, int Revision, string Code, string CreatedAt, string? CompileHash, string? CreatedBy = null);
