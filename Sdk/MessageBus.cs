using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Edge.Gateway.Bus;

namespace Edge.Sdk;

/// <summary>
/// The message bus (<c>ctx.Bus</c>): publish/subscribe on named topics shared by every handler of this gateway (and of
/// other gateways when the bus is bridged through Redis with <c>--bus redis:NAME</c>), and in-process calls of other
/// endpoints by name (<see cref="RequestAsync"/>, <see cref="DispatchAsync"/>).
/// </summary>
/// <remarks>
/// Topics are 1–256 characters without control characters (else 400); a message is at most 1 MiB of UTF-8 (else 413).
/// Each subscriber has a buffer of its own holding 1,024 messages; when a subscriber reads too slowly and its buffer is
/// full, its oldest waiting message is dropped (and counted, and reported in the endpoint's log when the subscription
/// ends). A slow subscriber therefore never blocks a publisher or the other subscribers.
/// </remarks>
public sealed class MessageBus
{
    private readonly BusHub _hub;
    private readonly Context _context;

    internal MessageBus(BusHub hub, Context context)
    {
        _hub = hub;
        _context = context;
    }

    /// <summary>
    /// Sends <paramref name="message"/> to every current subscriber of <paramref name="topic"/>; completes once it is
    /// queued for the local subscribers (and handed to Redis when the bus is bridged). Returns the number of local
    /// subscribers reached. Nobody listening is not an error: the message is simply gone.
    /// </summary>
    public Task<int> PublishAsync(string topic, string message) => _hub.PublishAsync(topic, message);

    /// <summary>
    /// The messages published on <paramref name="topic"/> from the moment the enumeration starts, until
    /// <paramref name="ct"/> is cancelled or the enumeration is disposed (leaving an <c>await foreach</c> does it);
    /// cancellation ends the enumeration quietly, without an exception. Typical use forwards them to a client:
    /// <code>
    /// return Response.EventStream(async (events, ct) =&gt;
    /// {
    ///     await foreach (var message in ctx.Bus.SubscribeAsync("news", ct))
    ///     {
    ///         await events.SendAsync(message);
    ///     }
    /// });
    /// </code>
    /// </summary>
    public IAsyncEnumerable<string> SubscribeAsync(string topic, CancellationToken ct = default)
    {
        BusHub.ValidateTopic(topic);
        return ReadAsync(topic, ct);
    }

    /// <summary>The number of subscribers of <paramref name="topic"/> in this process.</summary>
    public int SubscriberCount(string topic)
    {
        BusHub.ValidateTopic(topic);
        return _hub.SubscribersOf(topic);
    }

    /// <summary>
    /// Calls endpoint <paramref name="endpointName"/> in-process (no HTTP) with a POST of <paramref name="body"/> (a string
    /// or <c>byte[]</c> as is, anything else as JSON) to its path, and returns its response; a JSON body comes back as its
    /// text in <see cref="Response.Body"/>. Waits at most <paramref name="timeout"/> (default: the target's timeout).
    /// Unknown endpoint: 404; not running: 503; timeout: 504; its <see cref="HandlerError"/> keeps its status, any other
    /// exception is a 500 (details in its log); calls nested deeper than 8 answer 508. Only buffered responses can come
    /// back: a stream, file or WebSocket response is refused with a 500.
    /// </summary>
    public Task<Response> RequestAsync(string endpointName, object? body = null, TimeSpan? timeout = null)
    {
        var caller = CallerOrThrow();
        return caller.RequestAsync(endpointName, _context.BusDepth + 1, _context.RequestId, Payload(body), timeout, _context.RequestAborted);
    }

    /// <summary>
    /// Calls endpoint <paramref name="endpointName"/> in the background (fire and forget) with <paramref name="body"/> as
    /// <see cref="RequestAsync"/> does; completes once the call is queued. Its outcome goes to the target endpoint's log.
    /// Unknown endpoint: 404; not running: 503; 1,000 dispatched calls already in flight: 503 "bus dispatch queue full".
    /// </summary>
    public Task DispatchAsync(string endpointName, object? body = null)
    {
        CallerOrThrow().Dispatch(endpointName, _context.BusDepth + 1, _context.RequestId, Payload(body));
        return Task.CompletedTask;
    }

    private EndpointCaller CallerOrThrow() =>
        _hub.Caller ?? throw HandlerError.ServiceUnavailable("endpoint calls need the gateway: there are no endpoints in a unit-test context");

    private BusPayload Payload(object? body) => body switch
    {
        null => new BusPayload([], Response.JsonContentType),
        string text => new BusPayload(Encoding.UTF8.GetBytes(text), Response.TextContentType),
        byte[] bytes => new BusPayload(bytes, "application/octet-stream"),

        // Serialised here, with this handler's own options: only bytes reach the host and the other endpoint.
        _ => new BusPayload(JsonSerializer.SerializeToUtf8Bytes(body, body.GetType(), _context.JsonOptions), Response.JsonContentType),
    };

    private async IAsyncEnumerable<string> ReadAsync(string topic, CancellationToken ct, [EnumeratorCancellation] CancellationToken enumeration = default)
    {
        using var linked = ct.CanBeCanceled && enumeration.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(ct, enumeration) : null;
        var token = linked?.Token ?? (ct.CanBeCanceled ? ct : enumeration);
        var subscription = _hub.Subscribe(topic);
        try
        {
            while (await WaitAsync(subscription.Reader, token).ConfigureAwait(false))
            {
                while (!token.IsCancellationRequested && subscription.Reader.TryRead(out var message))
                {
                    yield return message;
                }
            }
        }
        finally
        {
            _hub.Unsubscribe(subscription);
            if (subscription.Dropped > 0)
            {
                _context.LogWarning($"bus subscription to '{topic}' dropped {subscription.Dropped} message(s): the subscriber read too slowly and its buffer of {BusHub.SubscriberCapacity} was full");
            }
        }
    }

    private static async ValueTask<bool> WaitAsync(ChannelReader<string> reader, CancellationToken token)
    {
        if (token.IsCancellationRequested)
        {
            return false;
        }

        try
        {
            return await reader.WaitToReadAsync(token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
