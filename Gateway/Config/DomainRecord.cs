namespace Edge.Gateway.Config;

internal sealed record DomainRecord
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Host { get; init; }
    public string? Description { get; init; }
    public bool Enabled { get; init; } = true;
    public required string CreatedAt { get; init; }
    public required string UpdatedAt { get; init; }
}
