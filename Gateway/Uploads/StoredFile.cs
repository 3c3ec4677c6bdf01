using System.Text.Json;
using System.Text.Json.Serialization;

namespace Edge.Gateway.Uploads;

/// <summary>
/// What the <c>/stream</c> routes know of a stored file: its random id, the name and content type it was uploaded with,
/// its size, the SHA-256 of its bytes (lower-case hex) and when it was stored (UTC, ISO 8601). Kept as a JSON sidecar
/// beside the data, written only once the data is complete.
/// </summary>
internal sealed record StoredFile(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("file_name")] string FileName,
    [property: JsonPropertyName("size")] long Size,
    [property: JsonPropertyName("content_type")] string ContentType,
    [property: JsonPropertyName("sha256")] string Sha256,
    [property: JsonPropertyName("created_at")] string CreatedAt)
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = false };

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Options);

    /// <summary>The metadata in <paramref name="json"/>; null when it is not a complete record.</summary>
    public static StoredFile? FromJson(ReadOnlySpan<byte> json)
    {
        try
        {
            var file = JsonSerializer.Deserialize<StoredFile>(json, Options);
            return file is { Id: not null, FileName: not null, ContentType: not null, Sha256: not null, CreatedAt: not null } ? file : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
