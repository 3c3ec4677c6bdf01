using System.Security.Cryptography;
using Edge.Sdk;

namespace Edge.Gateway;

/// <summary>
/// What <c>req.BodyStream</c> reads on a <c>stream_body</c> endpoint: the request body straight from Kestrel, read-only,
/// never buffered whole. A read that would go past <see cref="Limit"/> bytes throws a 413 <see cref="HandlerError"/>
/// (and so does every later read), which the gateway answers as 413 when the response has not started. The
/// <c>/stream/upload</c> route reads through one too, with a SHA-256 of everything read.
/// </summary>
internal sealed class LimitedBodyStream(Stream inner, long limit, IncrementalHash? hash = null, string what = "the endpoint's limit") : Stream
{
    private long _read;
    private bool _exceeded;

    public long Limit => limit;

    /// <summary>Bytes read so far.</summary>
    public long BytesRead => _read;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException("the request body is a stream: its length is unknown until read (see Content-Length)");

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException("the request body stream cannot seek");
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        CheckNotExceeded();
        var window = Window(buffer.Length);
        return Count(inner.Read(window < buffer.Length ? buffer[..window] : buffer), buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        CheckNotExceeded();
        var window = Window(buffer.Length);
        return Count(await inner.ReadAsync(window < buffer.Length ? buffer[..window] : buffer, cancellationToken).ConfigureAwait(false), buffer.Span);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("the request body stream cannot seek");

    public override void SetLength(long value) => throw new NotSupportedException("the request body stream is read-only");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("the request body stream is read-only");

    /// <summary>
    /// How much to ask for: never more than one byte past the limit, so a body exactly at the limit reads to its end and
    /// one byte more is noticed without pulling in the rest of an oversized body.
    /// </summary>
    private int Window(int wanted)
    {
        var room = limit - _read + 1;
        return room < wanted ? (int)Math.Max(room, 1) : wanted;
    }

    private int Count(int read)
    {
        _read += read;
        if (_read > limit)
        {
            _exceeded = true;
            throw TooLarge();
        }

        return read;
    }

    private int Count(int read, ReadOnlySpan<byte> data)
    {
        Count(read);
        hash?.AppendData(data[..read]);
        return read;
    }

    private void CheckNotExceeded()
    {
        if (_exceeded)
        {
            throw TooLarge();
        }
    }

    private HandlerError TooLarge() => HandlerError.PayloadTooLarge($"request body exceeds {what} of {limit} bytes");
}
