using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Edge.Gateway.Hosting;

namespace Edge.Gateway.Admin;

/// <summary>
/// <c>POST /api/test-request</c>: the admin server sends a request to its own gateway port over loopback (HTTPS when
/// the gateway speaks only HTTPS) and shows the answer, body capped at <see cref="MaxBodyShown"/>.
/// The target is always this gateway: the path can name no other host.
/// </summary>
internal static class TestRequestApi
{
    public const int MaxBodyShown = 1024 * 1024;
    public const int MaxHeaders = 100;
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static readonly string[] Fields = ["method", "path", "query", "headers", "body", "body_base64", "host"];

    /// <summary>Headers the client sets itself, or that would change how the request is framed.</summary>
    private static readonly string[] Refused = ["host", "content-length", "transfer-encoding", "connection", "upgrade", "te", "keep-alive", "proxy-connection", "expect"];

    // One pool for all test requests. The certificate is not checked: the peer is this process on loopback, and its
    // certificate names the public host, never 127.0.0.1.
    private static readonly HttpClient Client = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        UseProxy = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
    })
    { Timeout = System.Threading.Timeout.InfiniteTimeSpan };

    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/test-request", async (HttpContext http, EdgeOptions options) =>
        {
            var (input, error) = await JsonInput.ReadAsync(http.Request);
            if (input is null)
            {
                return error!;
            }

            input.RejectUnknown(Fields, []);
            var method = input.String("method", required: true, maxLength: 16, allowNull: false)?.ToUpperInvariant();
            if (method is not null && !Validation.Methods.Contains(method))
            {
                input.Error("method", $"must be one of {string.Join(", ", Validation.Methods)}, got '{method}'");
            }

            var path = input.String("path", required: true, maxLength: 8192, allowNull: false);
            if (path is not null && (!path.StartsWith('/') || path.Any(c => char.IsControl(c) || c is ' ' or '#')))
            {
                input.Error("path", "must start with '/' and hold no spaces, control characters or '#'");
            }

            var host = input.String("host", maxLength: 253);
            if (host is not null && !Validation.IsHost(host))
            {
                input.Error("host", $"must be a host name or an IP address, got '{host}'");
            }

            var query = ReadQuery(input);
            var headers = ReadHeaders(input);
            var body = ReadBody(input);
            if (input.Problems() is { } problems)
            {
                return problems;
            }

            var target = Target(options);
            using var request = new HttpRequestMessage(new HttpMethod(method!), target + path + query);
            if (host is not null)
            {
                request.Headers.Host = host;
            }

            if (body is not null)
            {
                request.Content = new ByteArrayContent(body);
            }

            foreach (var (name, value) in headers)
            {
                if (!request.Headers.TryAddWithoutValidation(name, value))
                {
                    request.Content ??= new ByteArrayContent([]);
                    request.Content.Headers.TryAddWithoutValidation(name, value);
                }
            }

            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
            deadline.CancelAfter(Timeout);
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var response = await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
                var (shown, size, truncated) = await ReadCappedAsync(response, deadline.Token);
                var duration = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                return AdminJson.Ok(new
                {
                    Status = (int)response.StatusCode,
                    Headers = HeadersOf(response),
                    BodyBase64 = Convert.ToBase64String(shown),
                    BodyText = Utf8(shown, truncated),
                    ContentType = response.Content.Headers.ContentType?.ToString(),
                    DurationMs = Math.Round(duration, 3),
                    Size = size,
                    Truncated = truncated,
                });
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or System.Net.Sockets.SocketException)
            {
                return AdminJson.Fail(StatusCodes.Status502BadGateway, $"the gateway at {target} is unreachable: {ex.Message}");
            }
            catch (OperationCanceledException) when (!http.RequestAborted.IsCancellationRequested)
            {
                return AdminJson.Fail(StatusCodes.Status504GatewayTimeout, $"the gateway at {target} did not answer within {Timeout.TotalSeconds:0} s");
            }
        });
    }

    /// <summary>The gateway's own base address on loopback: plain HTTP when it has a plain port that serves, else HTTPS.</summary>
    public static string Target(EdgeOptions options)
    {
        var (scheme, port) = options.TlsCert is null ? ("http", options.Port)
            : options.HttpPort is { } plain && !options.HttpsRedirect ? ("http", plain)
            : ("https", options.Port);
        var address = options.Bind.Equals(IPAddress.Any) ? IPAddress.Loopback
            : options.Bind.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback
            : options.Bind;
        var host = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        return $"{scheme}://{host}:{port}";
    }

    /// <summary><c>query</c>: an object of strings or arrays of strings, encoded as a query string ("" when absent).</summary>
    private static string ReadQuery(JsonInput input)
    {
        if (!input.Has("query") || input.IsNull("query"))
        {
            return "";
        }

        if (input.Raw("query") is not JsonObject query)
        {
            input.Error("query", "must be an object of strings or arrays of strings");
            return "";
        }

        var text = new StringBuilder();
        foreach (var (name, node) in query)
        {
            var values = node is JsonArray array ? array.ToArray() : new[] { node };
            foreach (var value in values)
            {
                if (value is not JsonValue v || !v.TryGetValue<string>(out var s))
                {
                    input.Error("query", $"'{name}' must be a string or an array of strings");
                    return "";
                }

                text.Append(text.Length == 0 ? '?' : '&').Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(s));
            }
        }

        return text.ToString();
    }

    private static List<(string Name, string Value)> ReadHeaders(JsonInput input)
    {
        var headers = new List<(string, string)>();
        if (!input.Has("headers") || input.IsNull("headers"))
        {
            return headers;
        }

        if (input.Raw("headers") is not JsonObject obj || obj.Count > MaxHeaders)
        {
            input.Error("headers", $"must be an object of at most {MaxHeaders} header names and string values");
            return headers;
        }

        foreach (var (name, node) in obj)
        {
            if (name.Length == 0 || !name.All(c => c is > ' ' and < (char)127 and not ':' and not '(' and not ')' and not ',' and not ';' and not '"'))
            {
                input.Error("headers", $"'{name}' is not a header name");
            }
            else if (Refused.Contains(name.ToLowerInvariant()))
            {
                input.Error("headers", $"'{name}' is set by edge (use the host field for Host)");
            }
            else if (node is not JsonValue v || !v.TryGetValue<string>(out var value) || value.Any(c => c is '\r' or '\n' or '\0'))
            {
                input.Error("headers", $"'{name}' must have a string value without CR, LF or NUL");
            }
            else
            {
                headers.Add((name, value));
            }
        }

        return headers;
    }

    private static byte[]? ReadBody(JsonInput input)
    {
        var text = input.String("body", maxLength: int.MaxValue, allowEmpty: true);
        var base64 = input.String("body_base64", maxLength: int.MaxValue, allowEmpty: true);
        if (text is not null && base64 is not null)
        {
            input.Error("body", "give body or body_base64, not both");
            return null;
        }

        if (base64 is null)
        {
            return text is null ? null : Encoding.UTF8.GetBytes(text);
        }

        try
        {
            return Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            input.Error("body_base64", "is not valid base64");
            return null;
        }
    }

    /// <summary>The first <see cref="MaxBodyShown"/> bytes, the whole size (the rest is read and counted), and whether it was cut.</summary>
    private static async Task<(byte[] Shown, long Size, bool Truncated)> ReadCappedAsync(HttpResponseMessage response, CancellationToken cancel)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancel);
        using var shown = new MemoryStream();
        var buffer = new byte[16 * 1024];
        long size = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer, cancel)) > 0)
        {
            var keep = (int)Math.Max(0, Math.Min(read, MaxBodyShown - shown.Length));
            shown.Write(buffer, 0, keep);
            size += read;
        }

        return (shown.ToArray(), size, size > MaxBodyShown);
    }

    private static Dictionary<string, string> HeadersOf(HttpResponseMessage response)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            headers[name.ToLowerInvariant()] = string.Join(", ", values);
        }

        return headers;
    }

    /// <summary>The body as text when it is valid UTF-8 (a cut body may end mid-character: that tail is dropped), else null.</summary>
    private static string? Utf8(byte[] body, bool truncated)
    {
        var length = body.Length;
        if (truncated)
        {
            // Back off over a split multi-byte character at the cut.
            var back = 0;
            while (back < 3 && length - back - 1 >= 0 && (body[length - back - 1] & 0xC0) == 0x80)
            {
                back++;
            }

            if (length - back - 1 >= 0 && body[length - back - 1] >= 0xC0)
            {
                length -= back + 1;
            }
        }

        try
        {
            return new UTF8Encoding(false, true).GetString(body, 0, length);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
