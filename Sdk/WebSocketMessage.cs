using System.Text;

namespace Edge.Sdk;

/// <summary>One whole WebSocket message (its fragments joined).</summary>
public sealed class WebSocketMessage
{
    private string? _text;

    internal WebSocketMessage(bool isText, byte[] data)
    {
        IsText = isText;
        Data = data;
    }

    /// <summary>True for a text message, false for a binary one.</summary>
    public bool IsText { get; }

    /// <summary>The payload as sent.</summary>
    public byte[] Data { get; }

    /// <summary>The payload as UTF-8 text (also for a binary message).</summary>
    public string Text => _text ??= Encoding.UTF8.GetString(Data);
}
