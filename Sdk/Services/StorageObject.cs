using System.Text.Json.Serialization;

namespace Edge.Sdk;

/// <summary>One object in a listing: its key, size in bytes and last change (UTC).</summary>
public sealed record StorageObject(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("size")] long Size,
    [property: JsonPropertyName("last_modified")] DateTimeOffset LastModified);
