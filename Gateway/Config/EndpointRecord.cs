namespace Edge.Gateway.Config;

/// <summary>One endpoint as stored: its route, limits, latest code and lifecycle state.</summary>
internal sealed record EndpointRecord
{
    public const int DefaultTimeoutMs = 30_000;
    public const int DefaultDrainTimeoutMs = 30_000;
    public const long DefaultMaxBodyBytes = 10 * 1024 * 1024;

    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Path { get; init; }
    public required string Method { get; init; }
    public required string Domain { get; init; }
    public string? CollectionId { get; init; }
    public string? Description { get; init; }
    public string Code { get; init; } = "";

    /// <summary>Raw JSON text of the dependencies object, or null.</summary>
    public string? Dependencies { get; init; }

    /// <summary>
    /// Raw JSON text of the endpoint's OpenAPI operation (method, path, operation, the component schemas it uses),
    /// or null for an endpoint with none. Imports fill it; the export and the request validator read it.
    /// </summary>
    public string? OpenApi { get; init; }

    /// <summary>Whether requests are checked against <see cref="OpenApi"/> before the handler runs.</summary>
    public bool ValidateRequests { get; init; }

    /// <summary>
    /// Raw JSON text of the folders (an array of absolute paths) a handler's <c>Response.File</c> may read, or null for
    /// none (every <c>Response.File</c> is refused).
    /// </summary>
    public string? FileRoots { get; init; }

    /// <summary>Who may call: <c>none</c> (anyone), <c>api_key</c> (a traffic key whose scopes reach it) or <c>mtls</c>.</summary>
    public string Auth { get; init; } = EndpointAuth.None;

    /// <summary>
    /// Raw JSON text of the client certificate names (CN or SAN) an <c>mtls</c> endpoint accepts, or null for any
    /// certificate that chains to the client CA.
    /// </summary>
    public string? AllowedClientNames { get; init; }

    /// <summary>Whether the handler reads the body as a stream (<c>req.BodyStream</c>) instead of buffered.</summary>
    public bool StreamBody { get; init; }

    /// <summary>Raw JSON text of the <c>rate_limit</c> object (<c>{permits, window_seconds, key, headers}</c>), or null for none.</summary>
    public string? RateLimit { get; init; }

    /// <summary>Requests the handler may serve at once; null for no per-endpoint limit.</summary>
    public int? MaxConcurrency { get; init; }

    /// <summary>Requests that may wait for a slot when <see cref="MaxConcurrency"/> is reached; null for the default.</summary>
    public int? QueueLimit { get; init; }

    /// <summary>How long a queued request waits for a slot; null for the default.</summary>
    public int? QueueTimeoutMs { get; init; }

    /// <summary>Raw JSON text of the <c>cors</c> object, or null for none (no CORS headers, preflights not answered).</summary>
    public string? Cors { get; init; }

    public bool Enabled { get; init; } = true;
    public int TimeoutMs { get; init; } = DefaultTimeoutMs;
    public int DrainTimeoutMs { get; init; } = DefaultDrainTimeoutMs;
    public long MaxBodyBytes { get; init; } = DefaultMaxBodyBytes;
    public string Status { get; init; } = EndpointStatus.Created;

    /// <summary>Latest code revision (1 on create; +1 on every code change).</summary>
    public int Revision { get; init; } = 1;

    public int? CompiledRevision { get; init; }
    public int? RunningRevision { get; init; }
    public string? LastError { get; init; }
    public required string CreatedAt { get; init; }
    public required string UpdatedAt { get; init; }

    /// <summary><see cref="FileRoots"/> as a list (empty when none).</summary>
    public IReadOnlyList<string> FileRootList() =>
        FileRoots is null ? [] : System.Text.Json.JsonSerializer.Deserialize<string[]>(FileRoots) ?? [];

    /// <summary><see cref="AllowedClientNames"/> as a list (empty when any name is accepted).</summary>
    public IReadOnlyList<string> AllowedClientNameList() =>
        AllowedClientNames is null ? [] : System.Text.Json.JsonSerializer.Deserialize<string[]>(AllowedClientNames) ?? [];
}
