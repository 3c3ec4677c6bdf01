using Microsoft.Net.Http.Headers;

namespace Edge.Gateway.Admin;

/// <summary>
/// Serves the admin page on the admin port: <c>/admin/</c> and <c>/admin/*</c> from <see cref="AdminAssets"/>, no
/// token (the page holds no secret; each API call it makes carries one). <c>/</c> and <c>/admin</c> answer 308 to
/// <c>/admin/</c>. Anything else goes on to the admin API.
/// </summary>
internal sealed class AdminPage(RequestDelegate next, AdminAssets assets)
{
    /// <summary>Scripts, styles and connections to this origin only; no inline script, no framing.</summary>
    public const string PagePolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private const string Prefix = "/admin/";

    public Task InvokeAsync(HttpContext http)
    {
        var path = http.Request.Path.Value ?? "";
        if (path is "" or "/" or "/admin")
        {
            http.Response.StatusCode = StatusCodes.Status308PermanentRedirect;
            http.Response.Headers.Location = Prefix + http.Request.QueryString;
            return Task.CompletedTask;
        }

        return path.StartsWith(Prefix, StringComparison.Ordinal) ? ServeAsync(http, path[Prefix.Length..]) : next(http);
    }

    private Task ServeAsync(HttpContext http, string relative)
    {
        var request = http.Request;
        var response = http.Response;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            response.Headers.Allow = "GET, HEAD";
            return PlainAsync(response, StatusCodes.Status405MethodNotAllowed, "the admin page answers GET and HEAD only");
        }

        // Kestrel has already removed dot segments; what is left that could point elsewhere is refused outright.
        if (!IsPlain(relative))
        {
            return PlainAsync(response, StatusCodes.Status400BadRequest, "invalid asset path");
        }

        if (assets.Find(relative) is not { } asset)
        {
            return PlainAsync(response, StatusCodes.Status404NotFound, $"no admin page file '{relative}'");
        }

        var (body, tag, encoding) = Choose(asset, request.Headers.AcceptEncoding.ToString());
        var headers = response.Headers;
        headers.ETag = tag;
        headers.Vary = "Accept-Encoding";
        headers.CacheControl = "no-cache";
        headers.ContentSecurityPolicy = PagePolicy;
        if (Matches(request.Headers.IfNoneMatch.ToString(), tag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        response.ContentType = asset.ContentType;
        response.ContentLength = body.Length;
        if (encoding is not null)
        {
            headers.ContentEncoding = encoding;
        }

        return HttpMethods.IsHead(request.Method) ? Task.CompletedTask : response.Body.WriteAsync(body).AsTask();
    }

    /// <summary>A relative path made of ordinary segments: no dot segments, backslashes, escapes, controls or empty segments.</summary>
    public static bool IsPlain(string relative)
    {
        foreach (var c in relative)
        {
            if (c is '\\' or '%' or ':' || char.IsControl(c))
            {
                return false;
            }
        }

        var segments = relative.Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            if (segment is "." or ".." || (segment.Length == 0 && i != segments.Length - 1))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Brotli if the client takes it, then gzip, else the plain bytes.</summary>
    private static (byte[] Body, string Tag, string? Encoding) Choose(AdminAsset asset, string acceptEncoding)
    {
        if (asset.Brotli is { } br && Accepts(acceptEncoding, "br"))
        {
            return (br, asset.BrotliETag!, "br");
        }

        if (asset.Gzip is { } gz && Accepts(acceptEncoding, "gzip"))
        {
            return (gz, asset.GzipETag!, "gzip");
        }

        return (asset.Body, asset.ETag, null);
    }

    /// <summary>Whether an Accept-Encoding value lists <paramref name="coding"/> (or *) with a q above 0.</summary>
    public static bool Accepts(string acceptEncoding, string coding)
    {
        if (!StringWithQualityHeaderValue.TryParseList(acceptEncoding.Split(','), out var values))
        {
            return false;
        }

        var star = false;
        foreach (var value in values)
        {
            var positive = value.Quality is not { } q || q > 0;
            if (value.Value.Equals(coding, StringComparison.OrdinalIgnoreCase))
            {
                return positive;
            }

            star |= value.Value.Equals("*", StringComparison.Ordinal) && positive;
        }

        return star;
    }

    /// <summary>If-None-Match: <c>*</c> or a list of tags, compared weakly (a W/ prefix is ignored) as RFC 9110 says.</summary>
    public static bool Matches(string ifNoneMatch, string tag)
    {
        if (ifNoneMatch.Length == 0)
        {
            return false;
        }

        foreach (var part in ifNoneMatch.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == "*" || (part.StartsWith("W/", StringComparison.Ordinal) ? part[2..] : part) == tag)
            {
                return true;
            }
        }

        return false;
    }

    private static Task PlainAsync(HttpResponse response, int status, string message)
    {
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        return response.WriteAsync(message + "\n");
    }
}
