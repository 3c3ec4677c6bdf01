namespace Edge.Gateway.Admin;

/// <summary>One kept code revision as <c>GET /api/endpoints/{id}/versions</c> lists it.</summary>
internal sealed record VersionSummary(
    int Version, string CreatedAt, string? CreatedBy, int CodeBytes, string Sha256, bool Compiled, bool Running, bool Current);
