namespace Edge.Gateway.Import;

/// <summary>The answer of an import (snake_case on the wire), also when it failed and nothing was written.</summary>
internal sealed record ImportReport
{
    public ImportedCollection? Collection { get; init; }
    public int EndpointsCreated { get; init; }
    public int EndpointsUpdated { get; init; }
    public int HandlersMatched { get; init; }
    public int Compiled { get; init; }
    public int Started { get; init; }
    public bool DryRun { get; init; }
    public double DurationMs { get; init; }
    public IReadOnlyList<ImportedEndpoint> Endpoints { get; init; } = [];

    /// <summary>The collection and every endpoint of the import with what it does to each (create, update, unchanged).</summary>
    public IReadOnlyList<ImportPreviewItem> Items { get; init; } = [];
    public IReadOnlyList<object> Errors { get; init; } = [];
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
