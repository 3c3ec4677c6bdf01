using System.Collections.ObjectModel;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Edge.Sdk;

/// <summary>
/// The HTTP request a handler answers: method, path, query, headers, body and path parameters.
/// </summary>
public sealed class Request
{
    private static readonly JsonSerializerOptions DefaultJsonOptions = new(JsonSerializerDefaults.Web);
    private static readonly IReadOnlyDictionary<string, string> Empty = ReadOnlyDictionary<string, string>.Empty;

    // Set when the gateway made this request; null for one made by a unit test.
    private readonly HttpContext? _http;
    private readonly string? _rawQuery;
    private readonly IPAddress? _remoteIp;

    // PERF: computed on first use only; a racing second computation yields an equal value, so no locks.
    private IReadOnlyDictionary<string, string>? _query;
    private IReadOnlyDictionary<string, string>? _headers;
    private string? _clientIp;
    private string? _contentType;
    private string? _body;
    private MultipartData? _multipart;
    private ClientCertificate? _clientCertificate;
    private readonly byte[]? _bodyBytes;
    private Stream? _bodyStream;

    // body: the buffered body; null on a stream_body endpoint, whose body is bodyStream.
    internal Request(
        HttpContext http,
        byte[]? body,
        IReadOnlyDictionary<string, string>? routeParams,
        JsonSerializerOptions json,
        string requestId,
        Stream? bodyStream = null)
    {
        _http = http;
        var request = http.Request;

        // Reading these only copies references Kestrel already holds (no allocation), and keeps
        // them right should a handler's background work read them after the request has ended.
        Method = request.Method;
        var path = request.Path.Value;
        Path = string.IsNullOrEmpty(path) ? "/" : path;
        _rawQuery = request.QueryString.Value;
        _remoteIp = http.Connection.RemoteIpAddress;

        _bodyBytes = body;
        _bodyStream = bodyStream;
        Params = routeParams ?? Empty;
        JsonOptions = json;
        RequestId = requestId;
    }

    /// <summary>Creates a request for unit tests of a handler; a query string in <paramref name="path"/> is parsed too.</summary>
    public Request(
        string method,
        string path,
        IReadOnlyDictionary<string, string>? query = null,
        IReadOnlyDictionary<string, string>? headers = null,
        byte[]? body = null,
        IReadOnlyDictionary<string, string>? pathParams = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(path);

        Method = method;
        var queryStart = path.IndexOf('?', StringComparison.Ordinal);
        Path = queryStart < 0 ? path : path[..queryStart];
        _query = BuildQuery(queryStart < 0 ? null : path[queryStart..], query);
        _headers = CopyHeaders(headers);
        _bodyBytes = body ?? [];
        Params = pathParams ?? Empty;
        JsonOptions = DefaultJsonOptions;
        RequestId = Guid.NewGuid().ToString("N");
    }

    /// <summary>The HTTP method as sent, e.g. "GET".</summary>
    public string Method { get; }

    /// <summary>The decoded request path, e.g. "/users/42".</summary>
    public string Path { get; }

    /// <summary>Decoded query parameters (case-sensitive names; the first value when a name repeats).</summary>
    public IReadOnlyDictionary<string, string> Query => _query ??= BuildQuery(_rawQuery, null);

    /// <summary>Request headers (case-insensitive names; repeated headers joined with ", ").</summary>
    public IReadOnlyDictionary<string, string> Headers => _headers ??= new HeaderDictionaryView(_http!.Request.Headers);

    /// <summary>The body decoded as UTF-8, or null when the body is empty.</summary>
    public string? Body => _body ??= DecodeBody(BodyBytes);

    /// <summary>
    /// The raw body (an empty array when there is none). On a <c>stream_body</c> endpoint the body is not buffered: this
    /// (and <see cref="Body"/>, <see cref="Json{T}"/>, <see cref="Multipart"/>) throws a 500 <see cref="HandlerError"/>
    /// that says to read <see cref="BodyStream"/> instead.
    /// </summary>
    public byte[] BodyBytes => _bodyBytes ?? throw new HandlerError(
        500, "this endpoint reads its request body as a stream (stream_body is on): use req.BodyStream, not Body, BodyBytes, Json or Multipart");

    /// <summary>
    /// The body as a read-only stream. On a <c>stream_body</c> endpoint it reads straight from the connection (nothing is
    /// buffered; past the endpoint's <c>max_body_bytes</c> a read throws a 413 <see cref="HandlerError"/>); elsewhere it
    /// reads the buffered body, so a handler works either way.
    /// </summary>
    public Stream BodyStream => _bodyStream ??= new MemoryStream(_bodyBytes ?? [], writable: false);

    /// <summary>Path parameters by name, e.g. <c>id</c> for the pattern <c>/users/{id}</c>.</summary>
    public IReadOnlyDictionary<string, string> Params { get; }

    /// <summary>The client's IP address, or null when unknown.</summary>
    public string? ClientIp => _clientIp ??= FormatIp(_remoteIp);

    /// <summary>The gateway's id for this request (also sent back as <c>x-request-id</c>).</summary>
    public string RequestId { get; }

    /// <summary>The Content-Type header, or null when absent.</summary>
    public string? ContentType => _contentType ??= Header("Content-Type");

    /// <summary>True when the body is JSON: <c>application/json</c> or any <c>+json</c> type.</summary>
    public bool IsJson
    {
        get
        {
            var mediaType = MediaType(ContentType);
            return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
                || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
        }
    }

    /// <summary>True when the body is <c>multipart/form-data</c>.</summary>
    public bool IsMultipart => MediaType(ContentType).Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase);

    /// <summary>The serializer options <see cref="Json{T}"/> uses (the handler version's own).</summary>
    internal JsonSerializerOptions JsonOptions { get; }

    /// <summary>The body deserialised as <typeparamref name="T"/> (camelCase, case-insensitive); a 400 <see cref="HandlerError"/> when empty, malformed or null.</summary>
    public T Json<T>()
    {
        var json = WithoutBom(BodyBytes);
        if (json.IsEmpty)
        {
            throw HandlerError.BadRequest("request body is empty");
        }

        T? value;
        try
        {
            value = JsonSerializer.Deserialize<T>(json, JsonOptions);
        }
        catch (JsonException ex)
        {
            throw new HandlerError(400, $"invalid JSON body: {ex.Message}", ex);
        }
        catch (FormatException ex)
        {
            throw new HandlerError(400, $"invalid JSON body: {ex.Message}", ex);
        }

        return value ?? throw HandlerError.BadRequest("request body must not be null");
    }

    /// <summary>The query parameter <paramref name="key"/>, or null when absent.</summary>
    public string? QueryParam(string key) => Query.TryGetValue(key, out var value) ? value : null;

    /// <summary>The query parameter <paramref name="key"/> parsed (invariant culture), or null when absent or unparsable.</summary>
    public T? QueryParam<T>(string key)
        where T : struct, IParsable<T>
        => TryParse<T>(QueryParam(key));

    /// <summary>The query parameter <paramref name="key"/>; a 400 <see cref="HandlerError"/> when absent or empty.</summary>
    public string RequireQueryParam(string key) => Require(QueryParam(key), "query parameter", key);

    /// <summary>The query parameter <paramref name="key"/> parsed; a 400 <see cref="HandlerError"/> when absent or unparsable.</summary>
    public T RequireQueryParam<T>(string key)
        where T : struct, IParsable<T>
        => RequireParsed<T>(QueryParam(key), "query parameter", key);

    /// <summary>The path parameter <paramref name="key"/>, or null when absent.</summary>
    public string? PathParam(string key) => Params.TryGetValue(key, out var value) ? value : null;

    /// <summary>The path parameter <paramref name="key"/> parsed (invariant culture), or null when absent or unparsable.</summary>
    public T? PathParam<T>(string key)
        where T : struct, IParsable<T>
        => TryParse<T>(PathParam(key));

    /// <summary>The path parameter <paramref name="key"/>; a 400 <see cref="HandlerError"/> when absent or empty.</summary>
    public string RequirePathParam(string key) => Require(PathParam(key), "path parameter", key);

    /// <summary>The path parameter <paramref name="key"/> parsed; a 400 <see cref="HandlerError"/> when absent or unparsable.</summary>
    public T RequirePathParam<T>(string key)
        where T : struct, IParsable<T>
        => RequireParsed<T>(PathParam(key), "path parameter", key);

    /// <summary>The header <paramref name="name"/> (case-insensitive), or null when absent.</summary>
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>The <c>Last-Event-ID</c> an event-stream client sends when it reconnects (null on a first connection).</summary>
    public string? LastEventId => Header("Last-Event-ID");

    /// <summary>
    /// The traffic key the gateway verified for this request (endpoints with <c>auth: api_key</c>); null otherwise.
    /// </summary>
    public ApiKeyInfo? ApiKey { get; internal set; }

    /// <summary>
    /// The certificate the client presented over mutual TLS, already verified against <c>--client-ca</c>; null on
    /// plain HTTP, on TLS without a client certificate, and in unit tests.
    /// </summary>
    public ClientCertificate? ClientCertificate => _clientCertificate ??= ClientCertificate.From(_http?.Connection.ClientCertificate);

    /// <summary>The header <paramref name="name"/>; a 400 <see cref="HandlerError"/> when absent or empty.</summary>
    public string RequireHeader(string name) => Require(Header(name), "header", name);

    /// <summary>True when the method is <paramref name="method"/>, ignoring case.</summary>
    public bool IsMethod(string method) => string.Equals(Method, method, StringComparison.OrdinalIgnoreCase);

    /// <summary>The multipart/form-data body, parsed once; a 400 <see cref="HandlerError"/> when the body is not one.</summary>
    public MultipartData Multipart() => _multipart ??= MultipartParser.Parse(ContentType, BodyBytes);

    private static T? TryParse<T>(string? text)
        where T : struct, IParsable<T>
        => text is not null && T.TryParse(text, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static string Require(string? value, string what, string key)
        => string.IsNullOrEmpty(value) ? throw HandlerError.BadRequest($"{what} '{key}' is required") : value;

    private static T RequireParsed<T>(string? text, string what, string key)
        where T : struct, IParsable<T>
    {
        if (string.IsNullOrEmpty(text))
        {
            throw HandlerError.BadRequest($"{what} '{key}' is required");
        }

        if (!T.TryParse(text, CultureInfo.InvariantCulture, out var value))
        {
            throw HandlerError.BadRequest($"{what} '{key}' must be a valid {typeof(T).Name}");
        }

        return value;
    }

    /// <summary>The media type of a Content-Type value without its parameters, e.g. "application/json".</summary>
    private static ReadOnlySpan<char> MediaType(string? contentType)
    {
        if (contentType is null)
        {
            return [];
        }

        var span = contentType.AsSpan();
        var semicolon = span.IndexOf(';');
        return (semicolon < 0 ? span : span[..semicolon]).Trim();
    }

    private static ReadOnlySpan<byte> WithoutBom(byte[] bytes)
    {
        var span = bytes.AsSpan();
        return span.StartsWith("\uFEFF"u8) ? span[3..] : span;
    }

    private static string? DecodeBody(byte[] bytes)
    {
        var span = WithoutBom(bytes);
        return bytes.Length == 0 ? null : Encoding.UTF8.GetString(span);
    }

    private static string? FormatIp(IPAddress? address)
    {
        if (address is null)
        {
            return null;
        }

        // A dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d; users expect a.b.c.d.
        return (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
    }

    private static IReadOnlyDictionary<string, string> BuildQuery(string? queryString, IReadOnlyDictionary<string, string>? extra)
    {
        if (string.IsNullOrEmpty(queryString) && (extra is null || extra.Count == 0))
        {
            return Empty;
        }

        var query = new Dictionary<string, string>(StringComparer.Ordinal);

        // QueryStringEnumerable decodes '+' and percent escapes like ASP.NET Core's own Request.Query,
        // but keeps names case-sensitive and decodes a value only for a name seen first.
        foreach (var pair in new QueryStringEnumerable(queryString))
        {
            var name = pair.DecodeName().ToString();
            if (name.Length > 0 && !query.ContainsKey(name))
            {
                query.Add(name, pair.DecodeValue().ToString());
            }
        }

        if (extra is not null)
        {
            foreach (var (name, value) in extra)
            {
                query[name] = value;
            }
        }

        return query;
    }

    private static Dictionary<string, string> CopyHeaders(IReadOnlyDictionary<string, string>? headers)
    {
        var copy = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (headers is null)
        {
            return copy;
        }

        foreach (var (name, value) in headers)
        {
            // Names that differ only in case are one header, as on the wire.
            copy[name] = copy.TryGetValue(name, out var earlier) ? earlier + ", " + value : value;
        }

        return copy;
    }
}
