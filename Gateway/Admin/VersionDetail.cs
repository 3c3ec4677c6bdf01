using System.Text.Json;
using System.Text.Json.Serialization;

namespace Edge.Gateway.Admin;

/// <summary>One revision with its code; <see cref="Dependencies"/> are the endpoint's (they are not kept per revision).</summary>
internal sealed record VersionDetail([property: JsonIgnore] VersionSummary Summary, string Code, JsonElement? Dependencies)
{
    public int Version => Summary.Version;

    public string CreatedAt => Summary.CreatedAt;

    public string? CreatedBy => Summary.CreatedBy;

    public int CodeBytes => Summary.CodeBytes;

    public string Sha256 => Summary.Sha256;

    public bool Compiled => Summary.Compiled;

    public bool Running => Summary.Running;

    public bool Current => Summary.Current;
}
