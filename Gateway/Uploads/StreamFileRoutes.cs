using System.Security.Cryptography;
using Edge.Gateway.Handlers;
using Edge.Gateway.Hosting;
using Edge.Sdk;
using Edge.Services;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Edge.Gateway.Uploads;

/// <summary>
/// The built-in file routes on the gateway port, present only when <c>--stream-storage</c> is set:
/// <c>POST /stream/upload/{file_name}</c> (the body streamed to storage, with its SHA-256 computed on the way),
/// <c>GET|HEAD /stream/download/{file_id}</c>, <c>GET|HEAD /stream/metadata/{file_id}</c> and
/// <c>DELETE /stream/files/{file_id}</c>. They are matched before the route table, and they are unauthenticated.
/// </summary>
internal sealed partial class StreamFileRoutes
{
    private const string UploadPrefix = "/stream/upload/";
    private const string DownloadPrefix = "/stream/download/";
    private const string MetadataPrefix = "/stream/metadata/";
    private const string FilesPrefix = "/stream/files/";
    private const int MaxContentTypeLength = 255;

    private readonly IStreamStore _store;
    private readonly long _maxBytes;
    private readonly TimeProvider _time;
    private readonly ILogger<StreamFileRoutes> _logger;

    private readonly Keys.KeyRing _keys;
    private readonly bool _needsKey;

    public StreamFileRoutes(EdgeOptions options, ServiceManager services, Keys.KeyRing keys, TimeProvider time, ILogger<StreamFileRoutes> logger)
    {
        _keys = keys;
        _needsKey = options.StreamAuth == Config.EndpointAuth.ApiKey;
        var spec = options.StreamStorage ?? throw new InvalidOperationException("the /stream routes need --stream-storage");
        _store = spec.Kind == StreamStorageKind.Folder
            ? new FolderStreamStore(spec.Location, new EndpointLog(time))
            : new S3StreamStore(spec.Location, services);
        _maxBytes = options.StreamMaxBytes;
        _time = time;
        _logger = logger;
    }

    /// <summary>Makes a storage folder ready (created, writable, stale parts removed); a one-line failure or null.</summary>
    public static string? Prepare(EdgeOptions options)
    {
        if (options.StreamStorage is not { Kind: StreamStorageKind.Folder } spec)
        {
            return null;
        }

        try
        {
            new FolderStreamStore(spec.Location, new EndpointLog(TimeProvider.System, 1)).Prepare();
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"edge: --stream-storage folder '{spec.Location}' is not usable: {ex.Message}";
        }
    }

    /// <summary>
    /// Whether the request belongs to these routes (everything else goes to the route table): by its path, or by the
    /// target as sent, whose dot segments Kestrel removed from the path (<c>/stream/upload/../x</c> must meet the
    /// name check and its 400, not become <c>/stream/x</c>).
    /// </summary>
    public static bool Matches(HttpContext http) =>
        PrefixOf(http.Request.Path.Value ?? "/") is not null || PrefixOf(RawPath(http)) is not null;

    private static string? PrefixOf(string path)
    {
        if (!path.StartsWith("/stream/", StringComparison.Ordinal))
        {
            return null;
        }

        foreach (var prefix in (ReadOnlySpan<string>)[UploadPrefix, DownloadPrefix, MetadataPrefix, FilesPrefix])
        {
            if (path.StartsWith(prefix, StringComparison.Ordinal))
            {
                return prefix;
            }
        }

        return null;
    }

    /// <summary>The request target as sent, without its query (empty when unknown).</summary>
    private static string RawPath(HttpContext http)
    {
        var raw = http.Features.Get<IHttpRequestFeature>()?.RawTarget ?? "";
        var end = raw.IndexOf('?', StringComparison.Ordinal);
        return end < 0 ? raw : raw[..end];
    }

    public async Task InvokeAsync(HttpContext http)
    {
        var request = http.Request;
        var requestId = RequestIds.Resolve(request.Headers[RequestIds.HeaderName]);
        http.Response.Headers[RequestIds.HeaderName] = requestId;
        var path = request.Path.Value!;
        var prefix = PrefixOf(RawPath(http)) ?? PrefixOf(path);
        var method = request.Method;
        if (_needsKey && Refused(http) is { } refused)
        {
            await ResponseWriter.WriteErrorAsync(http, refused.Status, refused.Message, requestId);
            return;
        }

        try
        {
            if (prefix == UploadPrefix)
            {
                await (HttpMethods.IsPost(method)
                    ? UploadAsync(http, Segment(http, UploadPrefix), requestId)
                    : NotAllowedAsync(http, "POST", requestId));
            }
            else if (prefix == FilesPrefix)
            {
                await (HttpMethods.IsDelete(method)
                    ? DeleteAsync(http, Segment(http, FilesPrefix), requestId)
                    : NotAllowedAsync(http, "DELETE", requestId));
            }
            else if (!HttpMethods.IsGet(method) && !HttpMethods.IsHead(method))
            {
                await NotAllowedAsync(http, "GET, HEAD", requestId);
            }
            else if (prefix == DownloadPrefix)
            {
                await DownloadAsync(http, Segment(http, DownloadPrefix), requestId);
            }
            else
            {
                await MetadataAsync(http, Segment(http, MetadataPrefix), requestId);
            }
        }
        catch (HandlerError ex) when (!http.Response.HasStarted)
        {
            Log.Failed(_logger, method, path, requestId, ex.StatusCode, ex.Message);
            await ResponseWriter.WriteErrorAsync(http, ex.StatusCode, ex.Message, requestId);
        }
        catch (BadHttpRequestException ex) when (!http.Response.HasStarted)
        {
            // The client broke its own framing (a body shorter than its Content-Length, bad chunks).
            await ResponseWriter.WriteErrorAsync(http, ex.StatusCode, $"bad request body: {ex.Message}", requestId);
        }
        catch (Exception) when (http.RequestAborted.IsCancellationRequested)
        {
            Log.ClientLeft(_logger, method, path, requestId);
        }
        catch (Exception ex) when (!http.Response.HasStarted)
        {
            Log.Crashed(_logger, method, path, requestId, ex);
            await ResponseWriter.WriteErrorAsync(http, 500, "internal error: the stream storage failed (see the gateway's log)", requestId);
        }
    }

    /// <summary>With <c>--stream-auth api_key</c> (the default): a traffic key with scope <c>*</c> or <c>stream</c>.</summary>
    private (int Status, string Message)? Refused(HttpContext http)
    {
        var headers = http.Request.Headers;
        var authorization = headers.Authorization.ToString();
        var presented = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? authorization.AsSpan(7).Trim()
            : headers["X-API-Key"].ToString().AsSpan().Trim();
        if (presented.IsEmpty)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return (401, "the /stream routes need an API key: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'");
        }

        if (_keys.Verify(presented, Config.ApiKeyRecord.Traffic, out var problem) is not { } key)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
            return (401, $"invalid API key: {problem}");
        }

        return key.Scopes.Contains("*") || key.Scopes.Contains("stream")
            ? null
            : (403, $"API key '{key.Name}' does not have the scope 'stream' the /stream routes need");
    }

    private async Task UploadAsync(HttpContext http, string fileName, string requestId)
    {
        if (StreamFileNames.Problem(fileName) is { } problem)
        {
            throw HandlerError.BadRequest(problem);
        }

        var request = http.Request;
        if (request.ContentLength > _maxBytes)
        {
            throw HandlerError.PayloadTooLarge($"the upload is {request.ContentLength} bytes; at most {_maxBytes} are taken (--stream-max-bytes)");
        }

        var contentType = string.IsNullOrEmpty(request.ContentType) ? "application/octet-stream" : request.ContentType;
        if (contentType.Length > MaxContentTypeLength || contentType.Any(char.IsControl) || !MediaTypeHeaderValue.TryParse(contentType, out _))
        {
            throw HandlerError.BadRequest("Content-Type is not a valid media type");
        }

        var id = StreamFileNames.NewId();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var body = new LimitedBodyStream(request.Body, _maxBytes, hash, "the upload limit (--stream-max-bytes)");
        StoredFile? stored = null;
        await _store.SaveAsync(id, contentType, body, () => stored = new StoredFile(
            id, fileName, body.BytesRead, contentType, Convert.ToHexStringLower(hash.GetHashAndReset()),
            _time.GetUtcNow().UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture)), request.ContentLength, http.RequestAborted);

        Log.Stored(_logger, id, stored!.Size, requestId);
        http.Response.Headers.Location = DownloadPrefix + id;
        await WriteJsonAsync(http, StatusCodes.Status201Created, stored.ToJson());
    }

    private async Task DownloadAsync(HttpContext http, string id, string requestId)
    {
        var file = await FindAsync(http, id);
        await _store.SendAsync(http, file, requestId);
    }

    private async Task MetadataAsync(HttpContext http, string id, string requestId)
    {
        var file = await FindAsync(http, id);
        await WriteJsonAsync(http, StatusCodes.Status200OK, HttpMethods.IsHead(http.Request.Method) ? null : file.ToJson());
    }

    private async Task DeleteAsync(HttpContext http, string id, string requestId)
    {
        CheckId(id);
        if (!await _store.DeleteAsync(id, http.RequestAborted))
        {
            throw HandlerError.NotFound($"no file with id '{id}'");
        }

        Log.Deleted(_logger, id, requestId);
        await WriteJsonAsync(http, StatusCodes.Status200OK, System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["id"] = id, ["deleted"] = true }));
    }

    private async Task<StoredFile> FindAsync(HttpContext http, string id)
    {
        CheckId(id);
        return await _store.MetadataAsync(id, http.RequestAborted) ?? throw HandlerError.NotFound($"no file with id '{id}'");
    }

    private static void CheckId(string id)
    {
        if (!StreamFileNames.IsId(id))
        {
            throw HandlerError.BadRequest($"malformed file id: ids are {StreamFileNames.IdLength} lower-case hex digits");
        }
    }

    private static Task NotAllowedAsync(HttpContext http, string allow, string requestId)
    {
        http.Response.Headers.Allow = allow;
        return ResponseWriter.WriteErrorAsync(http, 405, $"method {http.Request.Method} is not allowed for {http.Request.Path.Value}", requestId);
    }

    private static async Task WriteJsonAsync(HttpContext http, int status, byte[]? json)
    {
        var response = http.Response;
        response.StatusCode = status;
        response.ContentType = Response.JsonContentType;
        if (json is not null)
        {
            response.ContentLength = json.Length;
            await response.Body.WriteAsync(json, http.RequestAborted);
        }
    }

    /// <summary>
    /// The last path segment exactly as the client sent it, decoded once: the routed path has had its dot segments
    /// removed and keeps <c>%2F</c> encoded, so a hostile name reaches the name check and is refused.
    /// </summary>
    private static string Segment(HttpContext http, string prefix)
    {
        var raw = RawPath(http);
        return raw.StartsWith(prefix, StringComparison.Ordinal)
            ? Uri.UnescapeDataString(raw[prefix.Length..])
            : http.Request.Path.Value![prefix.Length..];
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.StreamFileStored, LogLevel.Information, "Stream file {FileId} stored ({Size} bytes, request {RequestId})")]
        public static partial void Stored(ILogger logger, string fileId, long size, string requestId);

        [LoggerMessage(EventIds.StreamFileDeleted, LogLevel.Information, "Stream file {FileId} deleted (request {RequestId})")]
        public static partial void Deleted(ILogger logger, string fileId, string requestId);

        [LoggerMessage(EventIds.StreamRouteFailed, LogLevel.Warning, "{Method} {Path} answered {Status}: {Reason} (request {RequestId})")]
        public static partial void Failed(ILogger logger, string method, string path, string requestId, int status, string reason);

        [LoggerMessage(EventIds.StreamRouteFailed, LogLevel.Information, "{Method} {Path}: the client went away (request {RequestId})")]
        public static partial void ClientLeft(ILogger logger, string method, string path, string requestId);

        [LoggerMessage(EventIds.StreamRouteFailed, LogLevel.Error, "{Method} {Path} failed (request {RequestId})")]
        public static partial void Crashed(ILogger logger, string method, string path, string requestId, Exception exception);
    }
}
