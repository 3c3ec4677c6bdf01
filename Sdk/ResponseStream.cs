using System.Buffers;
using System.Text;

namespace Edge.Sdk;

/// <summary>
/// The body of a <see cref="Response.Stream"/> as it is being sent: each write goes to the client at once, as one
/// chunk; trailers added along the way are sent after the last chunk.
/// </summary>
public sealed class ResponseStream
{
    private static readonly HashSet<string> ForbiddenTrailers = new(StringComparer.OrdinalIgnoreCase)
    {
        "Content-Length", "Transfer-Encoding", "Content-Type", "Content-Encoding", "Content-Range", "Host", "Trailer",
        "TE", "Connection", "Keep-Alive", "Upgrade", "Authorization", "Set-Cookie", "Cache-Control", "Expires", "Date",
        "Location", "Retry-After", "Vary", "Age", "Proxy-Authenticate", "WWW-Authenticate",
    };

    private readonly HttpResponse _response;
    private readonly bool _chunked;
    private Dictionary<string, string>? _trailers;

    /// <param name="response">the response to write to.</param>
    /// <param name="aborted">the client's cancellation.</param>
    /// <param name="chunked">
    /// true on HTTP/1.1: edge frames the chunks itself (RFC 9112 §7.1) so that it can end them with a trailer section,
    /// which Kestrel's own HTTP/1.1 chunking cannot send.
    /// </param>
    internal ResponseStream(HttpResponse response, CancellationToken aborted, bool chunked)
    {
        _response = response;
        _chunked = chunked;
        Aborted = aborted;
    }

    /// <summary>Cancelled when the client goes away (or the gateway shuts down): stop producing and return.</summary>
    public CancellationToken Aborted { get; }

    /// <summary>Bytes written so far.</summary>
    public long BytesWritten { get; private set; }

    /// <summary>Sends <paramref name="text"/> as UTF-8, as one chunk.</summary>
    public Task WriteAsync(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return WriteAsync(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Sends <paramref name="data"/> as one chunk.</summary>
    public async Task WriteAsync(ReadOnlyMemory<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        // PERF: written and flushed straight to the connection's pipe: nothing is buffered in between.
        var writer = _response.BodyWriter;
        if (_chunked)
        {
            WriteAscii(writer, data.Length.ToString("x", System.Globalization.CultureInfo.InvariantCulture) + "\r\n");
            writer.Write(data.Span);
            WriteAscii(writer, "\r\n");
        }
        else
        {
            writer.Write(data.Span);
        }

        var result = await writer.FlushAsync(Aborted);
        BytesWritten += data.Length;
        if (result.IsCanceled || result.IsCompleted)
        {
            throw new OperationCanceledException("the client went away", Aborted);
        }
    }

    /// <summary>
    /// Adds a trailer sent after the last chunk (HTTP/1.1 chunked trailer section, HTTP/2 trailing HEADERS), such as a
    /// checksum of what was streamed. Names that frame or route the message (Content-Length, Transfer-Encoding, Host…)
    /// are refused.
    /// </summary>
    public void AddTrailer(string name, string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(value);
        if (ForbiddenTrailers.Contains(name) || name.Any(c => c <= ' ' || c >= 127 || c == ':'))
        {
            throw new ArgumentException($"'{name}' cannot be sent as a trailer", nameof(name));
        }

        if (value.Any(c => c is '\r' or '\n' or '\0' || c >= 256))
        {
            throw new ArgumentException($"the value of trailer '{name}' must be Latin-1 text without line breaks", nameof(value));
        }

        (_trailers ??= new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase))[name] = value;
    }

    /// <summary>Ends the body once the handler's writer has finished: the last chunk and the trailers.</summary>
    internal async Task FinishAsync()
    {
        if (_chunked)
        {
            var end = new StringBuilder("0\r\n");
            foreach (var (name, value) in _trailers ?? [])
            {
                // Lower-cased like every header name edge sends (HTTP/2 requires it; HTTP/1.1 follows suit).
                end.Append(name.ToLowerInvariant()).Append(": ").Append(value).Append("\r\n");
            }

            WriteAscii(_response.BodyWriter, end.Append("\r\n").ToString());
            await _response.BodyWriter.FlushAsync(Aborted);
            return;
        }

        if (_trailers is not null && _response.SupportsTrailers())
        {
            // HTTP/2: sent as a trailing HEADERS frame when the response completes.
            foreach (var (name, value) in _trailers)
            {
                _response.AppendTrailer(name, value);
            }
        }
    }

    private static void WriteAscii(System.IO.Pipelines.PipeWriter writer, string text)
    {
        var span = writer.GetSpan(text.Length);
        var written = Encoding.Latin1.GetBytes(text, span);
        writer.Advance(written);
    }
}
