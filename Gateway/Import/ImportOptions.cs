namespace Edge.Gateway.Import;

/// <summary>Where and how an import lands (the query or body fields of the import routes).</summary>
internal sealed record ImportOptions
{
    public string? Domain { get; init; }
    public string? DomainId { get; init; }
    public string? CollectionId { get; init; }
    public bool CreateCollection { get; init; }
    public bool Compile { get; init; }
    public bool Start { get; init; }

    /// <summary>Import the good operations and report the bad ones, instead of importing nothing.</summary>
    public bool Partial { get; init; }

    /// <summary>Request validation for the imported endpoints (on unless the caller turns it off).</summary>
    public bool Validate { get; init; } = true;

    /// <summary>Report what would be created and updated without writing anything.</summary>
    public bool DryRun { get; init; }

    /// <summary>The admin caller recorded as the author of the revisions the import writes (null from the command line).</summary>
    public string? CreatedBy { get; init; }
}
