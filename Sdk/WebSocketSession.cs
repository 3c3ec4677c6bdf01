using System.Buffers;
using System.Net.WebSockets;
using System.Text;

namespace Edge.Sdk;

/// <summary>
/// An accepted WebSocket (see <see cref="Response.WebSocket"/>): whole messages in, text or binary messages out.
/// Sends are serialised, so two tasks may send at once; receiving is for one reader at a time.
/// </summary>
public sealed class WebSocketSession
{
    /// <summary>The default largest message accepted (1 MiB).</summary>
    public const int DefaultMaxMessageBytes = 1024 * 1024;

    private readonly WebSocket _socket;
    private const int ReceiveBufferBytes = 16 * 1024;

    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private byte[]? _receiveBuffer;

    internal WebSocketSession(WebSocket socket, CancellationToken aborted)
    {
        _socket = socket;
        Aborted = aborted;
    }

    /// <summary>Cancelled when the connection drops (or the gateway shuts down).</summary>
    public CancellationToken Aborted { get; }

    /// <summary>The largest message <see cref="ReceiveAsync"/> accepts; a bigger one closes the socket with 1009.</summary>
    public int MaxMessageBytes { get; set; } = DefaultMaxMessageBytes;

    /// <summary>True while messages can still be sent and received.</summary>
    public bool IsOpen => _socket.State == WebSocketState.Open;

    /// <summary>The close status the client sent (null until it closed).</summary>
    public int? CloseStatus => (int?)_socket.CloseStatus;

    /// <summary>
    /// The next whole message, or null once the client closed the socket (the close is answered) or the connection
    /// dropped. A message over <see cref="MaxMessageBytes"/> closes the socket with 1009 and returns null.
    /// </summary>
    public async Task<WebSocketMessage?> ReceiveAsync()
    {
        // PERF: one receive buffer per session, and a message that fits in one read is copied out once (no stream).
        var buffer = _receiveBuffer ??= new byte[ReceiveBufferBytes];
        MemoryStream? message = null;
        while (true)
        {
            ValueWebSocketReceiveResult result;
            try
            {
                result = await _socket.ReceiveAsync(buffer.AsMemory(), Aborted);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                return null;
            }

            if (result.MessageType == WebSocketMessageType.Close)
            {
                if (_socket.State == WebSocketState.CloseReceived)
                {
                    await CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "");
                }

                return null;
            }

            if ((message?.Length ?? 0) + result.Count > MaxMessageBytes)
            {
                await CloseAsync(1009, $"message larger than {MaxMessageBytes} bytes");
                return null;
            }

            var isText = result.MessageType == WebSocketMessageType.Text;
            if (result.EndOfMessage && message is null)
            {
                return new WebSocketMessage(isText, buffer.AsSpan(0, result.Count).ToArray());
            }

            message ??= new MemoryStream();
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return new WebSocketMessage(isText, message.ToArray());
            }
        }
    }

    /// <summary>Sends a text message.</summary>
    public async Task SendTextAsync(string text)
    {
        ArgumentNullException.ThrowIfNull(text);

        // PERF: encoded into a pooled buffer, returned once the frame has been written.
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetByteCount(text));
        try
        {
            var length = Encoding.UTF8.GetBytes(text, buffer);
            await SendAsync(buffer.AsMemory(0, length), WebSocketMessageType.Text);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Sends a binary message.</summary>
    public Task SendBinaryAsync(ReadOnlyMemory<byte> data) => SendAsync(data, WebSocketMessageType.Binary);

    /// <summary>Closes the socket with <paramref name="code"/> (1000 normal, 1001 going away, 1008 policy, 4000–4999 yours) and a reason.</summary>
    public async Task CloseAsync(int code, string reason)
    {
        if (code is < 1000 or > 4999 || code is 1004 or 1005 or 1006 or 1015)
        {
            throw new ArgumentOutOfRangeException(nameof(code), code, "a close code must be 1000–4999 and one that may be sent (not 1004, 1005, 1006, 1015)");
        }

        if (Encoding.UTF8.GetByteCount(reason ?? "") > 123)
        {
            throw new ArgumentException("a close reason is at most 123 bytes of UTF-8", nameof(reason));
        }

        if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            await CloseOutputAsync((WebSocketCloseStatus)code, reason ?? "");
        }
    }

    private async Task CloseOutputAsync(WebSocketCloseStatus status, string reason)
    {
        await _sendGate.WaitAsync(Aborted);
        try
        {
            await _socket.CloseOutputAsync(status, reason, Aborted);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The connection is already gone: nothing left to close.
        }
        finally
        {
            _sendGate.Release();
        }
    }

    private async Task SendAsync(ReadOnlyMemory<byte> data, WebSocketMessageType type)
    {
        await _sendGate.WaitAsync(Aborted);
        try
        {
            await _socket.SendAsync(data, type, endOfMessage: true, Aborted);
        }
        finally
        {
            _sendGate.Release();
        }
    }
}
