using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http;

namespace Edge.Gateway.OpenApi.Validation;

/// <summary>
/// The request body: present when required, of an accepted content type, and for JSON media types
/// (application/json, anything +json) valid JSON that satisfies the schema. Other media types (forms,
/// multipart, XML, octet-stream, text) are checked for presence and content type only.
/// </summary>
internal sealed class BodyValidator(bool required, MediaTypeRange[] mediaTypes)
{
    private const string In = "body";

    // The default depth; it also bounds how deep schema validation recurses.
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    private readonly string _expected = string.Join(", ", mediaTypes.Select(m => m.Text));

    public void Validate(HttpRequest request, ReadOnlyMemory<byte> body, ValidationContext context)
    {
        if (body.IsEmpty)
        {
            if (required)
            {
                context.Report(In, "", "a request body is required");
            }

            return;
        }

        if (mediaTypes.Length == 0)
        {
            return;
        }

        var contentType = request.ContentType;
        var media = Match(contentType, out var isJson);
        if (media is null)
        {
            context.Report(In, "", string.IsNullOrWhiteSpace(contentType)
                ? $"a Content-Type header is required; expected one of: {_expected}"
                : $"content type {Essence(contentType)} is not accepted; expected one of: {_expected}");
            return;
        }

        if (!isJson)
        {
            return;
        }

        // JsonDocument checks UTF-8 only when a string is read; checked up front (vectorised), bad bytes are
        // one problem here instead of an exception in the middle of the schema walk.
        if (!Utf8.IsValid(body.Span))
        {
            context.Report(In, "", $"not valid JSON: the body is not valid UTF-8 (byte {FirstInvalidByte(body.Span)})");
            return;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, DocumentOptions);
        }
        catch (JsonException exception)
        {
            context.Report(In, "", $"not valid JSON: {exception.Message}");
            return;
        }

        using (document)
        {
            if (media.Schema is not null)
            {
                context.Start(In, "");
                media.Schema.Validate(document.RootElement, context);
            }
        }
    }

    /// <summary>The most specific range that accepts the request's media type (parameters such as charset ignored).</summary>
    private MediaTypeRange? Match(string? contentType, out bool isJson)
    {
        var essence = Essence(contentType);
        var slash = essence.IndexOf('/');
        var type = slash < 0 ? essence : essence[..slash];
        var subtype = slash < 0 ? [] : essence[(slash + 1)..];
        isJson = slash > 0 && (subtype.Equals("json", StringComparison.OrdinalIgnoreCase) || subtype.EndsWith("+json", StringComparison.OrdinalIgnoreCase));

        MediaTypeRange? best = null;
        var bestScore = -1;
        foreach (var range in mediaTypes)
        {
            // A request without a media type is accepted only by */*.
            var score = slash < 0 ? (range.Type == "*" ? 0 : -1) : range.Score(type, subtype);
            if (score > bestScore)
            {
                best = range;
                bestScore = score;
            }
        }

        return best;
    }

    private static int FirstInvalidByte(ReadOnlySpan<byte> body)
    {
        var position = 0;
        while (position < body.Length && Rune.DecodeFromUtf8(body[position..], out _, out var consumed) == OperationStatus.Done)
        {
            position += consumed;
        }

        return position;
    }

    private static ReadOnlySpan<char> Essence(string? contentType)
    {
        var value = contentType.AsSpan();
        var semicolon = value.IndexOf(';');
        return (semicolon < 0 ? value : value[..semicolon]).Trim();
    }
}
