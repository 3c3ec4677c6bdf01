using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Edge.Gateway.Hosting;

/// <summary>
/// The output side of an HTTP/1.x connection that lower-cases response header names on the wire, as HTTP/2 does.
/// Kestrel writes the names of the headers it knows from fixed bytes ("Content-Type"), so the names are rewritten
/// here, in place in the transport's own buffers (same length, no copy). The request pipeline arms the writer when a
/// request starts (<see cref="Arm"/>); the next bytes written are then the response's head, scanned line by line up to
/// its empty line. Interim heads (100, 103) keep it armed for the final one; a 101 ends scanning, so an upgraded
/// connection's frames pass untouched, as does every body byte. Only ASCII A–Z in names change; values never do.
/// </summary>
internal sealed class LowercaseHeaderWriter(PipeWriter inner) : PipeWriter
{
    private const int Off = 0;
    private const int StatusLine = 1;
    private const int LineStart = 2;
    private const int Name = 3;
    private const int Value = 4;
    private const int EndOfHead = 5;

    private Memory<byte> _last;
    private int _state;
    private int _position;
    private int _status;

    /// <summary>Wraps a connection so that its writer can be found and armed from the request's features.</summary>
    public static Func<ConnectionDelegate, ConnectionDelegate> Middleware { get; } = static next => async connection =>
    {
        if (connection.Features.Get<ITlsApplicationProtocolFeature>() is { } alpn && alpn.ApplicationProtocol.Span.SequenceEqual("h2"u8))
        {
            // HTTP/2 (negotiated by ALPN) lower-cases names itself; its frames must pass untouched.
            await next(connection);
            return;
        }

        var transport = connection.Transport;
        var writer = new LowercaseHeaderWriter(transport.Output);
        connection.Transport = new Duplex(transport.Input, writer);
        connection.Features.Set(writer);
        try
        {
            await next(connection);
        }
        finally
        {
            connection.Transport = transport;
        }
    };

    /// <summary>True while a response head is expected or being scanned.</summary>
    public bool Armed => _state != Off;

    public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

    public override long UnflushedBytes => inner.UnflushedBytes;

    /// <summary>The next bytes written start a response head. Called once per request, before the response starts.</summary>
    public void Arm()
    {
        _state = StatusLine;
        _position = 0;
        _status = 0;
    }

    public override void Advance(int bytes)
    {
        if (_state != Off && bytes > 0)
        {
            Scan(_last.Span[..bytes]);
        }

        _last = default;
        inner.Advance(bytes);
    }

    public override Memory<byte> GetMemory(int sizeHint = 0) => _last = inner.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => (_last = inner.GetMemory(sizeHint)).Span;

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

    public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default) =>
        // Armed: through GetSpan/Advance, so the head is scanned; otherwise the inner writer's own path.
        _state != Off ? base.WriteAsync(source, cancellationToken) : inner.WriteAsync(source, cancellationToken);

    public override void CancelPendingFlush() => inner.CancelPendingFlush();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

    /// <summary>
    /// Lower-cases the names in one written piece of a head; the state carries across pieces.
    /// PERF: a line at a time, not a byte: a name is found and lower-cased, and a value skipped, with vectorised
    /// searches, so a head costs a few calls a header rather than a branchy step a byte.
    /// </summary>
    private void Scan(Span<byte> written)
    {
        var i = 0;
        while (i < written.Length && _state != Off)
        {
            switch (_state)
            {
                case StatusLine:
                    i += ScanStatusLine(written[i..]);
                    break;
                case LineStart:
                    if (written[i] == '\r')
                    {
                        _state = EndOfHead;
                        i++;
                    }
                    else
                    {
                        _state = Name;
                    }

                    break;
                case Name:
                    var rest = written[i..];
                    var colon = rest.IndexOf((byte)':');
                    var name = colon < 0 ? rest : rest[..colon];
                    LowerCase(name);
                    i += name.Length;
                    if (colon >= 0)
                    {
                        _state = Value;
                        i++;
                    }

                    break;
                case Value:
                    var end = written[i..].IndexOf((byte)'\n');
                    if (end < 0)
                    {
                        i = written.Length;
                    }
                    else
                    {
                        i += end + 1;
                        _state = LineStart;
                    }

                    break;
                case EndOfHead:
                    // The '\n' of the empty line. An interim response (100 Continue, 103 Early Hints) is followed by
                    // the final head.
                    i++;
                    if (_status is >= 100 and < 200 and not 101)
                    {
                        Arm();
                    }
                    else
                    {
                        _state = Off;
                    }

                    break;
            }
        }
    }

    /// <summary>Reads the status code from "HTTP/1.1 200 OK" (offsets 9–11); returns the bytes consumed.</summary>
    private int ScanStatusLine(ReadOnlySpan<byte> rest)
    {
        for (var i = 0; i < rest.Length; i++)
        {
            var b = rest[i];
            if (_position is >= 9 and <= 11 && b is >= (byte)'0' and <= (byte)'9')
            {
                _status = (_status * 10) + (b - '0');
            }

            _position++;
            if (b == '\n')
            {
                _state = LineStart;
                return i + 1;
            }
        }

        return rest.Length;
    }

    /// <summary>ASCII A–Z to a–z; every other byte as it is.</summary>
    private static void LowerCase(Span<byte> name)
    {
        // Kestrel only writes token characters in names, so the vectorised path takes the whole name; a byte it
        // refuses (non-ASCII) leaves the rest to the plain loop.
        if (System.Text.Ascii.ToLowerInPlace(name, out var done) == System.Buffers.OperationStatus.Done)
        {
            return;
        }

        foreach (ref var b in name[done..])
        {
            if (b is >= (byte)'A' and <= (byte)'Z')
            {
                b = (byte)(b | 0x20);
            }
        }
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
