namespace Edge.Sdk;

/// <summary>
/// What a handler answers: a status, headers and an optional body (JSON, text or raw bytes).
/// </summary>
public sealed class Response
{
    internal const string JsonContentType = "application/json; charset=utf-8";
    internal const string TextContentType = "text/plain; charset=utf-8";
    internal const string HtmlContentType = "text/html; charset=utf-8";
    internal const string ContentTypeHeader = "Content-Type";

    // PERF: most responses carry no headers of their own, so the dictionary exists only once asked for.
    private Dictionary<string, string>? _headers;

    /// <summary>Creates a response with the given status (100–599) and no body.</summary>
    public Response(int status)
    {
        ValidateStatus(status);
        Status = status;
    }

    /// <summary>The HTTP status code.</summary>
    public int Status { get; internal set; }

    /// <summary>Response headers (case-insensitive names); a <c>Content-Type</c> here beats the body's default.</summary>
    public IDictionary<string, string> Headers => _headers ??= new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The body as given: the object for JSON, the string for text or HTML, the bytes for binary; null for none.</summary>
    public object? Body { get; private set; }

    /// <summary>How the host writes <see cref="Body"/>.</summary>
    internal ResponseBodyKind BodyKind { get; private set; }

    /// <summary>The body kind's default content type; null when there is no body.</summary>
    internal string? ContentType { get; private set; }

    /// <summary>True when the handler set at least one header.</summary>
    internal bool HasHeaders => _headers is { Count: > 0 };

    /// <summary>The header dictionary, or null when none was ever created (lets the host skip it without allocating).</summary>
    internal Dictionary<string, string>? HeadersOrNull => _headers;

    /// <summary>The content type to send: a Content-Type header the handler set, else the body kind's default.</summary>
    internal string? ResolveContentType()
    {
        if (_headers is not null && _headers.TryGetValue(ContentTypeHeader, out var explicitType))
        {
            return explicitType;
        }

        return ContentType;
    }

    /// <summary>200 with <paramref name="body"/> as JSON (no body when null).</summary>
    public static Response Ok(object? body) => Json(200, body);

    /// <summary>201 with <paramref name="body"/> as JSON (no body when null).</summary>
    public static Response Created(object? body) => Json(201, body);

    /// <summary>202 with <paramref name="body"/> as JSON (no body when null).</summary>
    public static Response Accepted(object? body) => Json(202, body);

    /// <summary>204 with no body.</summary>
    public static Response NoContent() => new(204);

    /// <summary>400 with body <c>{"error": message}</c>.</summary>
    public static Response BadRequest(string message) => Error(400, message);

    /// <summary>401 with body <c>{"error": message}</c>.</summary>
    public static Response Unauthorized(string message) => Error(401, message);

    /// <summary>403 with body <c>{"error": message}</c>.</summary>
    public static Response Forbidden(string message) => Error(403, message);

    /// <summary>404 with body <c>{"error": message}</c> ("not found" when none is given).</summary>
    public static Response NotFound(string? message = null) => Error(404, message ?? "not found");

    /// <summary>409 with body <c>{"error": message}</c>.</summary>
    public static Response Conflict(string message) => Error(409, message);

    /// <summary>500 with body <c>{"error": message}</c>.</summary>
    public static Response InternalError(string message) => Error(500, message);

    /// <summary>503 with body <c>{"error": message}</c>.</summary>
    public static Response ServiceUnavailable(string message) => Error(503, message);

    /// <summary>The given status with <paramref name="body"/> serialised as JSON (no body when null).</summary>
    public static Response Json(int status, object? body)
    {
        var response = new Response(status);
        if (body is not null)
        {
            response.SetBody(body, ResponseBodyKind.Json, JsonContentType);
        }

        return response;
    }

    /// <summary>The given status with a plain-text UTF-8 body.</summary>
    public static Response Text(int status, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var response = new Response(status);
        response.SetBody(text, ResponseBodyKind.Text, TextContentType);
        return response;
    }

    /// <summary>The given status with an HTML UTF-8 body.</summary>
    public static Response Html(int status, string html)
    {
        ArgumentNullException.ThrowIfNull(html);
        var response = new Response(status);
        response.SetBody(html, ResponseBodyKind.Text, HtmlContentType);
        return response;
    }

    /// <summary>The given status with <paramref name="bytes"/> sent as is (never base64) under <paramref name="contentType"/>.</summary>
    public static Response Binary(int status, byte[] bytes, string contentType)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var response = new Response(status);
        response.SetBody(bytes, ResponseBodyKind.Bytes, string.IsNullOrWhiteSpace(contentType) ? "application/octet-stream" : contentType);
        return response;
    }

    /// <summary>
    /// A streamed body: <paramref name="write"/> sends chunks as it produces them, headers going out with the first (HTTP/1.1
    /// chunked encoding, HTTP/2 DATA frames) and may end with trailers. The body has no length limit and no buffering;
    /// <see cref="ResponseStream.Aborted"/> fires when the client goes away.
    /// </summary>
    public static Response Stream(int status, Func<ResponseStream, Task> write, string? contentType = null)
    {
        ArgumentNullException.ThrowIfNull(write);
        var response = new Response(status);
        response.SetBody(write, ResponseBodyKind.Stream, string.IsNullOrWhiteSpace(contentType) ? "application/octet-stream" : contentType);
        return response;
    }

    /// <summary>
    /// Server-sent events (<c>text/event-stream</c>): <paramref name="run"/> sends events through the
    /// <see cref="EventSink"/> until it returns or the token (cancelled when the client leaves) fires. A comment line
    /// goes out as a heartbeat whenever the stream has been idle for <see cref="EventSink.HeartbeatInterval"/>, so
    /// proxies keep it open. A reconnecting client's last id is <see cref="Request.LastEventId"/>.
    /// </summary>
    public static Response EventStream(Func<EventSink, CancellationToken, Task> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return Stream(200, async stream =>
        {
            await using var sink = new EventSink(stream);
            await sink.OpenAsync();
            await run(sink, stream.Aborted);
        }, "text/event-stream").WithHeader("Cache-Control", "no-cache").WithHeader("X-Accel-Buffering", "no");
    }

    /// <summary>
    /// Accepts a WebSocket (HTTP/1.1 upgrade, or HTTP/2 extended CONNECT) and runs <paramref name="run"/> with it; the
    /// socket closes (1000) when <paramref name="run"/> returns. A request that is not a WebSocket handshake gets 400.
    /// A redeploy leaves open sockets on the version that accepted them.
    /// </summary>
    public static Response WebSocket(Func<WebSocketSession, Task> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var response = new Response(101);
        response.SetBody(run, ResponseBodyKind.WebSocket, null);
        return response;
    }

    /// <summary>
    /// 200 with the file at <paramref name="path"/> as the body, sent by the host straight from the file (never through a
    /// byte array): only the region of <paramref name="length"/> bytes from <paramref name="offset"/> (to the end when
    /// null; clamped to the file). The content type is <paramref name="contentType"/>, else guessed from the extension,
    /// else <c>application/octet-stream</c>. The file must lie inside one of the endpoint's <c>file_roots</c> (403
    /// otherwise; 404 when it does not exist). The host adds <c>ETag</c>, <c>Last-Modified</c> and
    /// <c>Accept-Ranges</c>, and answers conditional (<c>If-None-Match</c>, <c>If-Modified-Since</c>) and range
    /// (<c>Range</c>, <c>If-Range</c>) requests on the region with 304, 206 or 416.
    /// </summary>
    public static Response File(string path, string? contentType = null, long offset = 0, long? length = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (length is { } count)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(count, nameof(length));
        }

        if (path.Contains('\0'))
        {
            throw new ArgumentException("A file path must not contain NUL.", nameof(path));
        }

        var response = new Response(200);
        response.SetBody(new FileBody(path, offset, length), ResponseBodyKind.File, string.IsNullOrWhiteSpace(contentType) ? FileBody.ContentTypeOf(path) : contentType);
        return response;
    }

    /// <summary>A redirect (301, 302, 303, 307 or 308) to <paramref name="location"/>.</summary>
    public static Response Redirect(int status, string location)
    {
        if (status is not (301 or 302 or 303 or 307 or 308))
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "A redirect status must be 301, 302, 303, 307 or 308.");
        }

        ArgumentException.ThrowIfNullOrEmpty(location);
        return new Response(status).WithHeader("Location", location);
    }

    /// <summary>Sets header <paramref name="name"/> to <paramref name="value"/>, replacing any earlier value.</summary>
    public Response WithHeader(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);

        // Fail here, with the handler's own stack, rather than when the host writes the headers.
        if (name.AsSpan().ContainsAny(" :\r\n\0") || value.AsSpan().ContainsAny('\r', '\n', '\0'))
        {
            throw new ArgumentException($"Header '{name}' has a name or value with forbidden characters.", nameof(value));
        }

        Headers[name] = value;
        return this;
    }

    /// <summary>Makes <paramref name="body"/> the text body; a Content-Type already set is kept, else text/plain.</summary>
    public Response WithBody(string body)
    {
        ArgumentNullException.ThrowIfNull(body);

        // An HTML (or other text) body keeps its type; a JSON or binary body turns into plain text.
        SetBody(body, ResponseBodyKind.Text, BodyKind == ResponseBodyKind.Text ? ContentType : TextContentType);
        return this;
    }

    /// <summary>Allows <paramref name="origin"/> (or "*") to read the response; adds <c>Vary: Origin</c> for a named origin.</summary>
    public Response WithCors(string origin)
    {
        ArgumentException.ThrowIfNullOrEmpty(origin);
        WithHeader("Access-Control-Allow-Origin", origin);
        if (origin != "*")
        {
            AddVary("Origin");
        }

        return this;
    }

    /// <summary>Lets shared caches keep the response for <paramref name="seconds"/>; zero or less sets <c>no-store</c>.</summary>
    public Response WithCache(int seconds)
    {
        Headers["Cache-Control"] = seconds <= 0 ? "no-store" : $"public, max-age={seconds}";
        return this;
    }

    internal static Response Error(int status, string message)
    {
        var response = new Response(status);
        response.SetBody(new ErrorBody(message ?? string.Empty), ResponseBodyKind.Json, JsonContentType);
        return response;
    }

    internal static void ValidateStatus(int status)
    {
        if (status is < 100 or > 599)
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "An HTTP status must be between 100 and 599.");
        }
    }

    private void SetBody(object body, ResponseBodyKind kind, string? contentType)
    {
        Body = body;
        BodyKind = kind;
        ContentType = contentType;
    }

    private void AddVary(string token)
    {
        var headers = Headers;
        if (!headers.TryGetValue("Vary", out var vary) || vary.Length == 0)
        {
            headers["Vary"] = token;
            return;
        }

        foreach (var part in vary.Split(',', StringSplitOptions.TrimEntries))
        {
            if (part == "*" || part.Equals(token, StringComparison.OrdinalIgnoreCase))
            {
                return;
            }
        }

        headers["Vary"] = vary + ", " + token;
    }
}
