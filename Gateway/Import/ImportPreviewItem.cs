namespace Edge.Gateway.Import;

/// <summary>
/// One thing an import creates, changes or leaves as it is (<see cref="Action"/>: create, update or unchanged); in a
/// dry run, what it would do. <see cref="Kind"/>: collection or endpoint.
/// </summary>
internal sealed record ImportPreviewItem(string Kind, string Name, string? Method, string? Path, string Action);
