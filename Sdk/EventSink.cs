using System.Text;

namespace Edge.Sdk;

/// <summary>
/// Writes server-sent events to one client (see <see cref="Response.EventStream"/>). Sends are serialised, so events
/// and heartbeats never interleave, and each event is flushed as soon as it is written.
/// </summary>
public sealed class EventSink : IAsyncDisposable
{
    private readonly ResponseStream _stream;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stop;
    private Task? _heartbeats;
    private long _lastWrite = Environment.TickCount64;

    internal EventSink(ResponseStream stream)
    {
        _stream = stream;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(stream.Aborted);
    }

    /// <summary>How long the stream may stay silent before a heartbeat comment is sent (default 15 s; at least 1 s).</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Events sent so far.</summary>
    public long Sent { get; private set; }

    /// <summary>
    /// Sends one event: <paramref name="data"/> (a multi-line text becomes several <c>data:</c> lines), with an optional
    /// event name and id (the id comes back as <see cref="Request.LastEventId"/> when the client reconnects).
    /// </summary>
    public Task SendAsync(string data, string? eventName = null, string? id = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        var text = new StringBuilder(data.Length + 32);
        if (id is not null)
        {
            text.Append("id: ").Append(SingleLine(id, nameof(id))).Append('\n');
        }

        if (eventName is not null)
        {
            text.Append("event: ").Append(SingleLine(eventName, nameof(eventName))).Append('\n');
        }

        foreach (var line in data.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n', '\r'))
        {
            text.Append("data: ").Append(line).Append('\n');
        }

        Sent++;
        return WriteAsync(text.Append('\n').ToString());
    }

    /// <summary>Tells the client how long to wait before reconnecting after the stream ends.</summary>
    public Task RetryAsync(TimeSpan delay) =>
        WriteAsync($"retry: {(long)Math.Max(0, delay.TotalMilliseconds)}\n\n");

    /// <summary>Sends a comment line (ignored by clients; keeps intermediaries from closing an idle stream).</summary>
    public Task CommentAsync(string text) => WriteAsync($": {SingleLine(text, nameof(text))}\n\n");

    /// <summary>Stops the heartbeats; the host calls it when the handler's run returns.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_heartbeats is not null)
        {
            try
            {
                await _heartbeats;
            }
            catch (OperationCanceledException)
            {
                // The stream ended while a heartbeat waited.
            }
        }

        _stop.Dispose();
        _gate.Dispose();
    }

    /// <summary>Sends the headers at once (an opening comment) and starts the heartbeats.</summary>
    internal async Task OpenAsync()
    {
        await WriteAsync(":ok\n\n");
        _heartbeats = HeartbeatAsync(_stop.Token);
    }

    private async Task HeartbeatAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var interval = HeartbeatInterval < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : HeartbeatInterval;
            var idle = TimeSpan.FromMilliseconds(Environment.TickCount64 - Interlocked.Read(ref _lastWrite));
            if (idle < interval)
            {
                // Wakes at least every second, so a changed HeartbeatInterval takes effect soon.
                var wait = interval - idle;
                await Task.Delay(wait < TimeSpan.FromSeconds(1) ? wait : TimeSpan.FromSeconds(1), stop);
                continue;
            }

            try
            {
                await WriteAsync(": heartbeat\n\n");
            }
            catch (Exception) when (stop.IsCancellationRequested || _stream.Aborted.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task WriteAsync(string text)
    {
        await _gate.WaitAsync(_stream.Aborted);
        try
        {
            await _stream.WriteAsync(text);
            Interlocked.Exchange(ref _lastWrite, Environment.TickCount64);
        }
        finally
        {
            _gate.Release();
        }
    }

    private static string SingleLine(string value, string name) =>
        value.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0
            ? throw new ArgumentException("an event id, name or comment must be one line", name)
            : value;
}
