using System.Net;
using System.Text.Json;

namespace Edge.Tests.Common;

/// <summary>An admin API answer: status, raw body and the parsed envelope <c>{ok, data, error}</c>.</summary>
public sealed class ApiResponse
{
    public ApiResponse(HttpStatusCode status, string body, string? contentType)
    {
        Status = status;
        Body = body;
        ContentType = contentType;
        try
        {
            using var doc = JsonDocument.Parse(body);
            Root = doc.RootElement.Clone();
            IsJson = true;
        }
        catch (JsonException)
        {
            Root = default;
        }
    }

    public HttpStatusCode Status { get; }

    public string Body { get; }

    public string? ContentType { get; }

    public bool IsJson { get; }

    /// <summary>The whole parsed body (default when the body is not JSON).</summary>
    public JsonElement Root { get; }

    /// <summary>The envelope's <c>ok</c> is literally <c>true</c>.</summary>
    public bool Ok => Prop("ok").ValueKind == JsonValueKind.True;

    public JsonElement Data => Prop("data");

    public string? Error => Prop("error") is { ValueKind: JsonValueKind.String } e ? e.GetString() : null;

    /// <summary><c>data.id</c> of a created or fetched object.</summary>
    public string Id => Data.ValueKind == JsonValueKind.Object && Data.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
        ? id.GetString()!
        : throw new InvalidOperationException($"no data.id in {this}");

    /// <summary>The elements of <c>data</c> when it is an array.</summary>
    public IReadOnlyList<JsonElement> Items => Data.ValueKind == JsonValueKind.Array
        ? [.. Data.EnumerateArray()]
        : throw new InvalidOperationException($"data is not an array in {this}");

    public override string ToString() => $"{(int)Status} {Status}: {Body}";

    private JsonElement Prop(string name) =>
        Root.ValueKind == JsonValueKind.Object && Root.TryGetProperty(name, out var value) ? value : default;
}
