namespace Edge.Services;

/// <summary>One field of a service type's <c>config</c>: its JSON kind, limits, and whether it is a secret.</summary>
internal sealed record ConfigField(string Name, ConfigFieldKind Kind, bool Required = false, bool Secret = false,
    string[]? Allowed = null, long Min = 0, long Max = int.MaxValue);
