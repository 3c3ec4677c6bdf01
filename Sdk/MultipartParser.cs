using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Edge.Sdk;

/// <summary>Parses a buffered multipart/form-data body into <see cref="MultipartData"/>.</summary>
internal static class MultipartParser
{
    // RFC 2046 §5.1.1: a boundary is 1 to 70 characters.
    private const int MaxBoundaryLength = 70;

    public static MultipartData Parse(string? contentType, byte[] body)
    {
        if (contentType is null)
        {
            throw HandlerError.BadRequest("request is not multipart/form-data: it has no Content-Type");
        }

        if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            throw HandlerError.BadRequest($"request is not multipart/form-data: Content-Type is '{contentType}'");
        }

        var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;
        if (string.IsNullOrWhiteSpace(boundary))
        {
            throw HandlerError.BadRequest("multipart/form-data Content-Type has no boundary");
        }

        if (boundary.Length > MaxBoundaryLength)
        {
            throw HandlerError.BadRequest($"multipart boundary is longer than {MaxBoundaryLength} characters");
        }

        try
        {
            // The body is in memory, so every await below completes synchronously: no thread is blocked.
            return ReadAsync(boundary, body).GetAwaiter().GetResult();
        }
        catch (InvalidDataException ex)
        {
            throw new HandlerError(400, $"malformed multipart/form-data body: {ex.Message}", ex);
        }
        catch (IOException ex)
        {
            throw new HandlerError(400, "malformed multipart/form-data body: it ends before its closing boundary", ex);
        }
    }

    private static async Task<MultipartData> ReadAsync(string boundary, byte[] body)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var files = new Dictionary<string, MultipartFile>(StringComparer.Ordinal);
        var allFiles = new List<MultipartFile>();

        using var stream = new MemoryStream(body, writable: false);
        var reader = new MultipartReader(boundary, stream);
        while (await reader.ReadNextSectionAsync().ConfigureAwait(false) is { } section)
        {
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
            {
                // Not a form part (RFC 7578 requires form-data): nothing a handler could look it up by.
                continue;
            }

            var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value;
            if (string.IsNullOrEmpty(name))
            {
                continue;
            }

            var data = await ReadAllAsync(section.Body).ConfigureAwait(false);
            if (disposition.FileName.HasValue || disposition.FileNameStar.HasValue)
            {
                var fileName = disposition.FileNameStar.HasValue
                    ? disposition.FileNameStar.Value!
                    : HeaderUtilities.RemoveQuotes(disposition.FileName).Value ?? string.Empty;
                if (fileName.Length == 0 && data.Length == 0)
                {
                    // What a browser sends for a file input left empty.
                    continue;
                }

                var file = new MultipartFile(name, fileName, string.IsNullOrWhiteSpace(section.ContentType) ? "application/octet-stream" : section.ContentType, data);
                files.TryAdd(name, file);
                allFiles.Add(file);
            }
            else
            {
                fields.TryAdd(name, TextEncoding(section.ContentType).GetString(data));
            }
        }

        return new MultipartData(fields, files, allFiles);
    }

    private static Encoding TextEncoding(string? partContentType)
    {
        // Form fields are UTF-8 unless the part says otherwise (RFC 7578 §4.4).
        if (partContentType is not null
            && MediaTypeHeaderValue.TryParse(partContentType, out var mediaType)
            && mediaType.Encoding is { } encoding)
        {
            return encoding;
        }

        return Encoding.UTF8;
    }

    private static async Task<byte[]> ReadAllAsync(Stream section)
    {
        using var buffer = new MemoryStream();
        await section.CopyToAsync(buffer).ConfigureAwait(false);
        return buffer.ToArray();
    }
}
