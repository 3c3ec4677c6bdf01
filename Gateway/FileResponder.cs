using System.Globalization;
using Edge.Gateway.Handlers;
using Edge.Sdk;
using Microsoft.AspNetCore.Http.Headers;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Edge.Gateway;

/// <summary>
/// Sends a <see cref="Response.File"/>: the file must resolve (symlinks included) to a place inside one of the
/// endpoint's file roots; its region goes out through <see cref="FileRegionWriter"/> (read from disk straight into the
/// connection's pooled output buffers, never through a handler array), with validators, conditional requests and single byte ranges (RFC 9110).
/// Ranges and conditionals apply to a 200 (the status <see cref="Response.File"/> always sets), and only for GET and HEAD.
/// </summary>
internal static class FileResponder
{
    private const int MaxLinkHops = 40;

    public static async Task WriteAsync(HttpContext http, Response response, IReadOnlyList<string> roots, EndpointLog log, string requestId)
    {
        var file = (FileBody)response.Body!;
        var resolved = Resolve(file.Path, roots, out var outcome);
        if (resolved is null)
        {
            // The client learns which rule refused the file, never where the handler looked.
            if (outcome == Refusal.OutsideRoots)
            {
                log.Warning($"Response.File refused: '{file.Path}' is outside the endpoint's file_roots", requestId);
                await ResponseWriter.WriteErrorAsync(http, 403, "the file is outside the endpoint's file_roots", requestId);
                return;
            }

            log.Info($"Response.File: '{file.Path}' does not exist or is not a file", requestId);
            await ResponseWriter.WriteErrorAsync(http, 404, "file not found", requestId);
            return;
        }

        var size = resolved.Length;
        var modified = resolved.LastWriteTimeUtc;
        if (file.Offset > size)
        {
            log.Warning($"Response.File: offset {file.Offset} is past the end of '{file.Path}' ({size} bytes)", requestId);
            http.Response.Headers.ContentRange = "bytes */0";
            await ResponseWriter.WriteErrorAsync(http, 416, "the file region starts past the end of the file", requestId);
            return;
        }

        // The representation is the region the handler chose: [start, start + total).
        var start = file.Offset;
        var total = Math.Min(file.Length ?? long.MaxValue, size - start);
        var etag = new EntityTagHeaderValue(ETagOf(size, modified, start, total, size));
        var lastModified = new DateTimeOffset(modified.Ticks - (modified.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

        var request = http.Request;
        var method = request.Method;
        var readOnly = HttpMethods.IsGet(method) || HttpMethods.IsHead(method);
        var conditional = readOnly && response.Status == 200;
        var headers = request.GetTypedHeaders();

        if (conditional && NotModified(headers, etag, lastModified))
        {
            ResponseWriter.WriteHead(http, response, withContentType: false);
            http.Response.StatusCode = StatusCodes.Status304NotModified;
            SetValidators(http.Response, etag, lastModified);
            return;
        }

        ResponseWriter.WriteHead(http, response, withContentType: true);
        var httpResponse = http.Response;
        SetValidators(httpResponse, etag, lastModified);
        httpResponse.Headers.AcceptRanges = "bytes";

        var (from, count) = (0L, total);
        if (conditional && RangeOf(request, headers, etag, lastModified) is { } range)
        {
            if (Satisfy(range, total) is not { } part)
            {
                httpResponse.Headers.ContentRange = $"bytes */{total}";
                httpResponse.Headers.Remove(HeaderNames.ETag);
                httpResponse.Headers.Remove(HeaderNames.LastModified);
                httpResponse.Headers.Remove(HeaderNames.AcceptRanges);
                await ResponseWriter.WriteErrorAsync(http, 416, $"the range is not satisfiable (the body has {total} bytes)", requestId);
                return;
            }

            (from, count) = part;
            httpResponse.StatusCode = StatusCodes.Status206PartialContent;
            httpResponse.Headers.ContentRange = $"bytes {from}-{from + count - 1}/{total}";
        }

        httpResponse.ContentLength = count;
        if (HttpMethods.IsHead(method) || count == 0)
        {
            return;
        }

        try
        {
            await FileRegionWriter.WriteAsync(httpResponse, resolved.FullName, start + from, count, http.RequestAborted);
        }
        catch (Exception) when (http.RequestAborted.IsCancellationRequested)
        {
            log.Info("the client went away while a file was being sent", requestId);
        }
        catch (Exception ex) when (!httpResponse.HasStarted)
        {
            log.Error($"Response.File: '{file.Path}' could not be sent: {ex.Message}", requestId);
            httpResponse.Clear();
            httpResponse.Headers[RequestIds.HeaderName] = requestId;
            await ResponseWriter.WriteErrorAsync(http, 500, "internal error: the file could not be sent (see the endpoint's log)", requestId);
        }
        catch (Exception ex)
        {
            // Part of the body is out (the file shrank, a read failed): cutting the connection is the only honest signal.
            log.Error($"Response.File: '{file.Path}' failed mid-body; the connection was cut: {ex.Message}", requestId);
            http.Abort();
        }
    }

    private enum Refusal
    {
        None,
        OutsideRoots,
        NotFound,
    }

    /// <summary>
    /// The file behind <paramref name="path"/> when its full path and its real path (every symlink on the way followed)
    /// both lie inside one root; null otherwise, with the reason.
    /// </summary>
    private static FileInfo? Resolve(string path, IReadOnlyList<string> roots, out Refusal refusal)
    {
        refusal = Refusal.OutsideRoots;
        if (roots.Count == 0)
        {
            return null;
        }

        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return null;
        }

        if (!InsideAny(full, roots, real: false))
        {
            return null;
        }

        var real = RealPath(full);
        if (real is null)
        {
            refusal = Refusal.NotFound;
            return null;
        }

        if (!InsideAny(real, roots, real: true))
        {
            return null;
        }

        var info = new FileInfo(real);
        if (!info.Exists)
        {
            refusal = Refusal.NotFound;
            return null;
        }

        refusal = Refusal.None;
        return info;
    }

    private static bool InsideAny(string full, IReadOnlyList<string> roots, bool real)
    {
        foreach (var configured in roots)
        {
            var root = real ? RealPath(configured) ?? configured : configured;
            if (IsInside(full, root))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="full"/> is strictly below <paramref name="root"/> (a separator ends the prefix).</summary>
    internal static bool IsInside(string full, string root)
    {
        var prefix = Path.EndsInDirectorySeparator(root) ? root : root + Path.DirectorySeparatorChar;
        var comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return full.Length > prefix.Length && full.StartsWith(prefix, comparison);
    }

    /// <summary>
    /// The path with every symbolic link resolved, component by component (a link's target is resolved again, so links
    /// to links and links through linked folders all end at the real place); null when a component does not exist or
    /// links loop.
    /// </summary>
    internal static string? RealPath(string full)
    {
        var pending = new Stack<string>();
        var current = Path.GetPathRoot(full);
        if (string.IsNullOrEmpty(current))
        {
            return null;
        }

        foreach (var part in full[current.Length..].Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar).Reverse())
        {
            if (part.Length > 0)
            {
                pending.Push(part);
            }
        }

        var hops = 0;
        while (pending.TryPop(out var part))
        {
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }

            var next = Path.Join(current, part);
            FileSystemInfo info = new FileInfo(next);
            if (!info.Exists)
            {
                info = new DirectoryInfo(next);
                if (!info.Exists)
                {
                    return null;
                }
            }

            if (info.LinkTarget is not { } target)
            {
                current = next;
                continue;
            }

            if (++hops > MaxLinkHops)
            {
                return null;
            }

            // Resolve the target's own components in place of this one (relative targets start at the link's folder).
            var absolute = Path.IsPathFullyQualified(target) ? target : Path.Join(current, target);
            var root = Path.GetPathRoot(absolute)!;
            foreach (var piece in absolute[root.Length..].Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar).Reverse())
            {
                if (piece.Length > 0)
                {
                    pending.Push(piece);
                }
            }

            current = root;
        }

        return current;
    }

    /// <summary>A strong validator from the file's size and modification time, and the region when it is not the whole file.</summary>
    private static string ETagOf(long size, DateTime modified, long start, long total, long fileSize)
    {
        var tag = string.Create(CultureInfo.InvariantCulture, $"\"{size:x}-{modified.Ticks:x}");
        return start == 0 && total == fileSize
            ? tag + "\""
            : string.Create(CultureInfo.InvariantCulture, $"{tag}-{start:x}-{total:x}\"");
    }

    private static void SetValidators(HttpResponse response, EntityTagHeaderValue etag, DateTimeOffset lastModified)
    {
        var typed = response.GetTypedHeaders();
        typed.ETag = etag;
        typed.LastModified = lastModified;
    }

    /// <summary>RFC 9110 13.2.2: If-None-Match (weak comparison, "*" matches) wins; If-Modified-Since only without it.</summary>
    private static bool NotModified(RequestHeaders headers, EntityTagHeaderValue etag, DateTimeOffset lastModified)
    {
        var ifNoneMatch = headers.IfNoneMatch;
        if (ifNoneMatch.Count > 0)
        {
            foreach (var candidate in ifNoneMatch)
            {
                if (candidate.Equals(EntityTagHeaderValue.Any) || candidate.Compare(etag, useStrongComparison: false))
                {
                    return true;
                }
            }

            return false;
        }

        return headers.IfModifiedSince is { } since && lastModified <= since;
    }

    /// <summary>
    /// The one byte range to honour, or null for the whole body: no or unparsable Range, a unit other than bytes, an
    /// If-Range that does not match (strong ETag or exact date), or several ranges: those get 200 with everything, which
    /// RFC 9110 allows (multipart/byteranges is not produced).
    /// </summary>
    private static RangeItemHeaderValue? RangeOf(HttpRequest request, RequestHeaders headers, EntityTagHeaderValue etag, DateTimeOffset lastModified)
    {
        var raw = request.Headers.Range;
        if (StringValues.IsNullOrEmpty(raw) || raw.Count != 1 || !RangeHeaderValue.TryParse(raw[0], out var range))
        {
            return null;
        }

        if (!string.Equals(range.Unit.Value, "bytes", StringComparison.OrdinalIgnoreCase) || range.Ranges.Count != 1)
        {
            return null;
        }

        if (request.Headers.IfRange.Count > 0)
        {
            var ifRange = headers.IfRange;
            if (ifRange is null)
            {
                return null;
            }

            if (ifRange.EntityTag is { } tag ? !tag.Compare(etag, useStrongComparison: true) : ifRange.LastModified != lastModified)
            {
                return null;
            }
        }

        return range.Ranges.First();
    }

    /// <summary>The (first byte, byte count) a range selects from a body of <paramref name="total"/> bytes; null when unsatisfiable.</summary>
    private static (long From, long Count)? Satisfy(RangeItemHeaderValue range, long total)
    {
        if (range.From is { } from)
        {
            if (from >= total)
            {
                return null;
            }

            var last = range.To is { } to ? Math.Min(to, total - 1) : total - 1;
            return (from, last - from + 1);
        }

        // A suffix: the last n bytes (all of them when n is larger than the body).
        if (range.To is not { } suffix || suffix == 0 || total == 0)
        {
            return null;
        }

        var count = Math.Min(suffix, total);
        return (total - count, count);
    }
}
