namespace Edge.Gateway.Import;

/// <summary>One endpoint an import created or updated (or would, in a dry run).</summary>
internal sealed record ImportedEndpoint(
    string Id, string Name, string Method, string Path, string Action, string Status, string? Handler, bool GeneratedCode, bool ValidateRequests);
