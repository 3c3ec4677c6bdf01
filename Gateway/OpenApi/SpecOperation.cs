using System.Text.Json.Nodes;

namespace Edge.Gateway.OpenApi;

/// <summary>
/// One operation of a spec. <see cref="Contract"/> is the self-contained OpenAPI 3.1 form stored with the endpoint
/// (method, path, operation, the component schemas it reaches); <see cref="Edge"/> holds edge's own
/// <c>x-edge</c> settings when the spec came from an edge export.
/// </summary>
internal sealed record SpecOperation(
    string Method,
    string Path,
    string? OperationId,
    string Name,
    string? Description,
    JsonObject Contract,
    JsonObject? Edge,
    string Pointer)
{
    /// <summary>How the operation is named in messages: its operationId, else method and path.</summary>
    public string Label => OperationId ?? $"{Method} {Path}";
}
