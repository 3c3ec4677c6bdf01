namespace Edge.Tests.Common;

/// <summary>Body of <c>POST /api/endpoints</c>; null fields are left out.</summary>
public sealed record EndpointSpec
{
    public required string Path { get; init; }

    public string? Code { get; init; }

    public string Method { get; init; } = "GET";

    public string Domain { get; init; } = "*";

    public string? Name { get; init; }

    public string? CollectionId { get; init; }

    public string? Description { get; init; }

    public bool? Enabled { get; init; }

    public int? TimeoutMs { get; init; }

    public int? DrainTimeoutMs { get; init; }

    public long? MaxBodyBytes { get; init; }

    public string[]? FileRoots { get; init; }

    public string? Auth { get; init; }

    public string[]? AllowedClientNames { get; init; }

    public bool? StreamBody { get; init; }
}
