namespace Edge.Gateway.Config;

/// <summary>A backend connection handlers can use; <see cref="Config"/> is its JSON object, secrets included.</summary>
internal sealed record ServiceRecord
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string ServiceType { get; init; }
    public required string Config { get; init; }
    public bool Enabled { get; init; } = true;
    public required string CreatedAt { get; init; }
    public required string UpdatedAt { get; init; }
}
