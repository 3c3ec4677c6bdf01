using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Sdk;

namespace Edge.Services.Records;

/// <summary>Id checks and JSON conversions shared by every records backend.</summary>
internal static class RecordDocuments
{
    public const int MaxIdLength = 128;

    /// <summary>400 unless <paramref name="id"/> is 1–128 of letters, digits, '-', '_', '.', not starting with '.'.</summary>
    public static void CheckId(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxIdLength || id[0] == '.' ||
            !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw HandlerError.BadRequest(
                $"record id must be 1 to {MaxIdLength} letters, digits, '-', '_' or '.' (not starting with '.'), got '{Shorten(id)}'");
        }
    }

    /// <summary>The document as a JSON object with its <c>id</c> field set to <paramref name="id"/>.</summary>
    public static JsonObject ToObject(string id, object document, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(document);
        var node = document switch
        {
            JsonNode n => n.DeepClone(),
            _ => JsonSerializer.SerializeToNode(document, document.GetType(), options),
        };
        if (node is not JsonObject obj)
        {
            throw HandlerError.Internal($"a record must be a JSON object, but {document.GetType().Name} serialises to {node?.GetValueKind().ToString() ?? "null"}");
        }

        obj["id"] = id;
        return obj;
    }

    /// <summary>The document's <c>status</c> when it is a string.</summary>
    public static string? Status(JsonObject document) =>
        document["status"] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    public static byte[] ToBytes(JsonObject document) => Encoding.UTF8.GetBytes(document.ToJsonString());

    /// <summary>Parses a stored document; a file that is not a JSON object is a storage error naming it.</summary>
    public static JsonObject Parse(ReadOnlySpan<byte> utf8, string where)
    {
        try
        {
            return JsonNode.Parse(utf8) as JsonObject ?? throw HandlerError.StorageError($"record {where} is not a JSON object");
        }
        catch (JsonException ex)
        {
            throw HandlerError.StorageError($"record {where} is not valid JSON: {ex.Message}");
        }
    }

    /// <summary>For files: keep the ids containing <paramref name="filter"/>, or the documents whose status equals it.</summary>
    public static bool FileMatches(string id, JsonObject document, string? filter) =>
        filter is null || id.Contains(filter, StringComparison.OrdinalIgnoreCase) || Status(document) == filter;

    private static string Shorten(string? id) => id is null ? "" : id.Length > 40 ? id[..40] + "…" : id;
}
