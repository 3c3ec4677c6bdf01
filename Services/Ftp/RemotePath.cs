using System.Text;
using Edge.Sdk;

namespace Edge.Services.Ftp;

/// <summary>
/// Paths handlers give to <see cref="IFileTransfer"/>, normalised and confined to the service's <c>base_path</c>
/// before anything is sent. A path is always relative to the base path: a leading <c>/</c> means "the base path",
/// never the server's root, so it cannot escape. <c>.</c> segments and repeated slashes are dropped; a <c>..</c>
/// segment, a backslash, a control character (NUL, CR, LF…), a <c>~</c> (home expansion), a drive (<c>C:</c>) or
/// an empty file name is refused with 400. The result has no leading or trailing slash: <c>a/b/c.txt</c>.
/// </summary>
internal static class RemotePath
{
    /// <summary>The longest path accepted, in characters.</summary>
    public const int MaxLength = 1024;

    /// <summary>The longest single name accepted, in UTF-8 bytes (the usual file system limit).</summary>
    public const int MaxNameBytes = 255;

    /// <summary>A file path such as <c>a/b/c.txt</c>; 400 when it is unusable or names no file.</summary>
    public static string File(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            throw HandlerError.BadRequest("path: a file name is required");
        }

        var segments = Parse(path);
        if (segments.Count == 0 || path.EndsWith('/'))
        {
            throw Refused(path, "names no file (empty file name)");
        }

        return string.Join('/', segments);
    }

    /// <summary>A folder path such as <c>a/b</c>, or <c>""</c> for the base folder; 400 when it is unusable.</summary>
    public static string Folder(string? path) =>
        string.IsNullOrEmpty(path) ? "" : string.Join('/', Parse(path));

    /// <summary>The folders leading to a file, top down: <c>a/b/c.txt</c> gives <c>a</c>, <c>a/b</c>.</summary>
    public static IReadOnlyList<string> Ancestors(string relativeFile)
    {
        var folders = new List<string>();
        for (var slash = relativeFile.IndexOf('/'); slash >= 0; slash = relativeFile.IndexOf('/', slash + 1))
        {
            folders.Add(relativeFile[..slash]);
        }

        return folders;
    }

    /// <summary>
    /// Reads a <c>base_path</c> from the config: <c>/</c>-separated, <c>.</c> and repeated slashes dropped,
    /// whether it starts with <c>/</c> kept. Throws <see cref="InvalidOperationException"/> naming the field for
    /// <c>..</c>, backslashes, control characters or <c>~</c>.
    /// </summary>
    public static (bool Absolute, IReadOnlyList<string> Segments) Base(string value)
    {
        try
        {
            return (value.StartsWith('/'), Parse(value));
        }
        catch (HandlerError ex)
        {
            throw new InvalidOperationException($"config.base_path: {ex.Message}", ex);
        }
    }

    /// <summary>The path shown in messages: control characters escaped so that a message stays on one line.</summary>
    public static string Shown(string path)
    {
        var shown = new StringBuilder(Math.Min(path.Length, 200));
        foreach (var c in path.Length > 200 ? path[..200] + "…" : path)
        {
            if (char.IsControl(c))
            {
                shown.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                shown.Append(c);
            }
        }

        return shown.ToString();
    }

    private static List<string> Parse(string path)
    {
        if (path.Length > MaxLength)
        {
            throw Refused(path, $"is longer than {MaxLength} characters");
        }

        for (var i = 0; i < path.Length; i++)
        {
            var c = path[i];
            var problem = c switch
            {
                '\\' => "contains a backslash",
                '~' => "contains '~' (home folders are not reachable)",
                _ when char.IsControl(c) => "contains a control character",
                _ when char.IsHighSurrogate(c) && (i + 1 == path.Length || !char.IsLowSurrogate(path[i + 1])) => "is not valid Unicode",
                _ when char.IsLowSurrogate(c) && (i == 0 || !char.IsHighSurrogate(path[i - 1])) => "is not valid Unicode",
                _ => null,
            };
            if (problem is not null)
            {
                throw Refused(path, problem);
            }
        }

        var segments = new List<string>();
        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                throw Refused(path, "has a '..' segment (paths stay inside the base path)");
            }

            if (segments.Count == 0 && segment.Length == 2 && char.IsAsciiLetter(segment[0]) && segment[1] == ':')
            {
                throw Refused(path, "starts with a drive");
            }

            if (Encoding.UTF8.GetByteCount(segment) > MaxNameBytes)
            {
                throw Refused(path, $"has a name longer than {MaxNameBytes} bytes");
            }

            segments.Add(segment);
        }

        return segments;
    }

    private static HandlerError Refused(string path, string problem) =>
        HandlerError.BadRequest($"path '{Shown(path)}' {problem}");
}
