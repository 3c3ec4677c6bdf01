namespace Edge.Gateway.Import;

/// <summary>The collection an import went into.</summary>
internal sealed record ImportedCollection(string Id, string Name, string? BasePath, bool Created);
