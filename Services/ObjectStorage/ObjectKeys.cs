using System.Text;
using Edge.Sdk;

namespace Edge.Services.ObjectStorage;

/// <summary>
/// What edge accepts as an object key, a listing prefix or a content type before anything goes to the store
/// (400 otherwise). Keys with <c>.</c> or <c>..</c> segments are refused too: the store would keep them, but
/// every URL-based client (presigned URLs, browsers, curl, the admin download route) collapses such segments,
/// so the object could never be fetched by URL, and in a file-like view they read as path traversal.
/// </summary>
internal static class ObjectKeys
{
    /// <summary>The S3 limit on a key's length, in UTF-8 bytes.</summary>
    public const int MaxKeyBytes = 1024;

    public static void CheckKey(string? key)
    {
        if (Problem(key, allowEmpty: false) is { } problem)
        {
            throw HandlerError.BadRequest($"invalid object key '{Shorten(key)}': {problem}");
        }
    }

    public static void CheckPrefix(string? prefix)
    {
        if (!string.IsNullOrEmpty(prefix) && Problem(prefix, allowEmpty: true) is { } problem)
        {
            throw HandlerError.BadRequest($"invalid prefix '{Shorten(prefix)}': {problem}");
        }
    }

    /// <summary>Null when <paramref name="key"/> is usable, else why not (for callers that answer themselves).</summary>
    public static string? Problem(string? key, bool allowEmpty = false)
    {
        if (string.IsNullOrEmpty(key))
        {
            return allowEmpty ? null : "must not be empty";
        }

        if (Encoding.UTF8.GetByteCount(key) > MaxKeyBytes)
        {
            return $"longer than {MaxKeyBytes} bytes (UTF-8)";
        }

        if (key.Any(char.IsControl))
        {
            return "contains a control character";
        }

        if (!IsWellFormed(key))
        {
            return "contains a lone surrogate (not valid Unicode text)";
        }

        foreach (var segment in key.Split('/'))
        {
            if (segment is "." or "..")
            {
                return "contains a '.' or '..' segment";
            }
        }

        return null;
    }

    /// <summary>The content type to store: application/octet-stream when none is given; one that could break the header is refused.</summary>
    public static string ContentType(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return "application/octet-stream";
        }

        if (contentType.Length > 256 || contentType.Any(c => char.IsControl(c) || c > '~'))
        {
            throw HandlerError.BadRequest($"invalid content type '{Shorten(contentType)}': printable ASCII only, at most 256 characters");
        }

        return contentType.Trim();
    }

    private static bool IsWellFormed(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A key safe to echo in a message: control characters shown as '?', long keys cut.</summary>
    private static string Shorten(string? text)
    {
        if (text is null)
        {
            return "";
        }

        var cut = text.Length > 80 ? text[..80] + "…" : text;
        return string.Create(cut.Length, cut, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
            }
        });
    }
}
