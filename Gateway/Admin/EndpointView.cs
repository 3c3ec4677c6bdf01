using System.Text.Json;
using Edge.Gateway.Config;

namespace Edge.Gateway.Admin;

/// <summary>An endpoint as the admin API shows it (dependencies as a JSON object, not text; the draining count from the registry).</summary>
internal sealed record EndpointView(
    string Id, string Name, string Path, string Method, string Domain, string? CollectionId, string? Description,
    string Code, JsonElement? Dependencies, JsonElement? Openapi, bool ValidateRequests, IReadOnlyList<string> FileRoots,
    string Auth, IReadOnlyList<string> AllowedClientNames, bool StreamBody,
    JsonElement? RateLimit, int? MaxConcurrency, int? QueueLimit, int? QueueTimeoutMs, JsonElement? Cors, bool Enabled, int TimeoutMs, int DrainTimeoutMs, long MaxBodyBytes,
    string Status, int Revision, int? CompiledRevision, int? RunningRevision, string? LastError, string CreatedAt, string UpdatedAt,
    int Draining)
{
    /// <summary>The view of <paramref name="e"/>; <paramref name="draining"/>: its replaced versions still finishing requests.</summary>
    public static EndpointView From(EndpointRecord e, int draining = 0) => new(
        e.Id, e.Name, e.Path, e.Method, e.Domain, e.CollectionId, e.Description, e.Code,
        e.Dependencies is null ? null : JsonDocument.Parse(e.Dependencies).RootElement.Clone(),
        e.OpenApi is null ? null : JsonDocument.Parse(e.OpenApi).RootElement.Clone(), e.ValidateRequests,
        e.FileRootList(), e.Auth, e.AllowedClientNameList(), e.StreamBody, Json(e.RateLimit), e.MaxConcurrency, e.QueueLimit, e.QueueTimeoutMs, Json(e.Cors),
        e.Enabled, e.TimeoutMs, e.DrainTimeoutMs, e.MaxBodyBytes, e.Status, e.Revision, e.CompiledRevision,
        e.RunningRevision, e.LastError, e.CreatedAt, e.UpdatedAt, draining);

    private static JsonElement? Json(string? text) => text is null ? null : JsonDocument.Parse(text).RootElement.Clone();
}
