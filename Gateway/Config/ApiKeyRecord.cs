namespace Edge.Gateway.Config;

/// <summary>
/// A stored key: a traffic key (presented to the gateway) or an admin key (presented to the admin API). Only the
/// public <see cref="Prefix"/> and a SHA-256 of the secret part are kept; the key itself is shown once, at creation.
/// </summary>
internal sealed record ApiKeyRecord
{
    public const string Traffic = "traffic";
    public const string Admin = "admin";

    public required string Id { get; init; }

    /// <summary><see cref="Traffic"/> or <see cref="Admin"/>.</summary>
    public required string Kind { get; init; }

    public required string Name { get; init; }

    /// <summary>The random public part of the key, unique; how a presented key is looked up.</summary>
    public required string Prefix { get; init; }

    /// <summary>SHA-256 of the secret part.</summary>
    public required byte[] SecretHash { get; init; }

    /// <summary>What the key may reach (see <c>docs/keys.md</c>).</summary>
    public required IReadOnlyList<string> Scopes { get; init; }

    public required string CreatedAt { get; init; }

    /// <summary>ISO 8601 UTC instant after which the key is refused, or null for never.</summary>
    public string? ExpiresAt { get; init; }
}
