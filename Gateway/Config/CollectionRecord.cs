namespace Edge.Gateway.Config;

internal sealed record CollectionRecord
{
    public required string Id { get; init; }
    public required string DomainId { get; init; }
    public required string Name { get; init; }
    public string? Description { get; init; }
    public string? BasePath { get; init; }
    public bool Enabled { get; init; } = true;
    public required string CreatedAt { get; init; }
    public required string UpdatedAt { get; init; }
}
