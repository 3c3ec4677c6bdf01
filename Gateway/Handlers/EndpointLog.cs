using Edge.Sdk;

namespace Edge.Gateway.Handlers;

/// <summary>
/// The recent log of one endpoint: compile results, handler lines, exceptions, timeouts, load failures.
/// A fixed-size ring: old lines fall off, memory stays bounded whatever a handler writes.
/// </summary>
internal sealed class EndpointLog(TimeProvider time, int capacity = EndpointLog.DefaultCapacity) : IHandlerLogSink
{
    public const int DefaultCapacity = 500;
    public const int MaxLineLength = 16 * 1024;

    private readonly EndpointLogEntry?[] _ring = new EndpointLogEntry?[capacity];
    private readonly Lock _lock = new();
    private long _written;

    public void Info(string message, string? requestId = null) => Add("info", message, requestId);

    public void Warning(string message, string? requestId = null) => Add("warning", message, requestId);

    public void Error(string message, string? requestId = null) => Add("error", message, requestId);

    void IHandlerLogSink.Write(HandlerLogLevel level, string message, string requestId) =>
        Add(level switch { HandlerLogLevel.Warning => "warning", HandlerLogLevel.Error => "error", _ => "info" }, message, requestId);

    /// <summary>The newest <paramref name="limit"/> lines, oldest first.</summary>
    public IReadOnlyList<EndpointLogEntry> Recent(int limit)
    {
        lock (_lock)
        {
            var count = (int)Math.Min(Math.Min(_written, _ring.Length), limit);
            var result = new EndpointLogEntry[count];
            for (var i = 0; i < count; i++)
            {
                result[i] = _ring[(_written - count + i) % _ring.Length]!;
            }

            return result;
        }
    }

    private void Add(string level, string message, string? requestId)
    {
        if (message.Length > MaxLineLength)
        {
            message = string.Concat(message.AsSpan(0, MaxLineLength), "… (truncated)");
        }

        var entry = new EndpointLogEntry(time.GetUtcNow(), level, message, requestId);
        lock (_lock)
        {
            _ring[_written % _ring.Length] = entry;
            _written++;
        }
    }
}
