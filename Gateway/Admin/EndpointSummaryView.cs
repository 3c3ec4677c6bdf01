using Edge.Gateway.Config;

namespace Edge.Gateway.Admin;

/// <summary>
/// An endpoint in a list without its code, contract or policies (<c>GET /api/endpoints?fields=summary</c>): what a
/// tree or a table needs, a few hundred bytes however long the handler is.
/// </summary>
internal sealed record EndpointSummaryView(
    string Id, string Name, string Path, string Method, string Domain, string? CollectionId, string? Description, bool Enabled,
    string Auth, string Status, int Revision, int? CompiledRevision, int? RunningRevision, string? LastError,
    string CreatedAt, string UpdatedAt, int Draining, int CodeBytes)
{
    public static EndpointSummaryView From(EndpointRecord e, int draining) => new(
        e.Id, e.Name, e.Path, e.Method, e.Domain, e.CollectionId, e.Description, e.Enabled, e.Auth, e.Status, e.Revision,
        e.CompiledRevision, e.RunningRevision, e.LastError, e.CreatedAt, e.UpdatedAt, draining, System.Text.Encoding.UTF8.GetByteCount(e.Code));
}
