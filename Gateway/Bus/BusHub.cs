using System.Collections.Concurrent;
using System.Text;
using Edge.Sdk;

namespace Edge.Gateway.Bus;

/// <summary>
/// The process-wide message bus behind <c>ctx.Bus</c>: topics, their subscribers (each with a bounded buffer of its
/// own, dropping its oldest message when full), the optional Redis bridge that carries topics across instances, and
/// the in-process endpoint calls. Only strings cross into it, never a handler's objects, so it pins no handler version.
/// </summary>
internal sealed class BusHub
{
    /// <summary>The longest topic name, in characters.</summary>
    public const int MaxTopicLength = 256;

    /// <summary>The largest message, in UTF-8 bytes.</summary>
    public const int MaxMessageBytes = 1024 * 1024;

    /// <summary>Messages each subscriber may have waiting before its oldest is dropped.</summary>
    public const int SubscriberCapacity = 1024;

    private readonly ConcurrentDictionary<string, BusSubscription[]> _topics = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private int _subscribers;
    private long _published;
    private long _delivered;
    private long _droppedByEnded;

    /// <summary>Calls to other endpoints (<c>RequestAsync</c>/<c>DispatchAsync</c>); null in a unit-test context.</summary>
    public EndpointCaller? Caller { get; private set; }

    /// <summary>The Redis bridge when <c>--bus redis:NAME</c> is set; null for an in-process bus.</summary>
    public RedisBusBridge? Bridge { get; private set; }

    public int SubscriberCount => Volatile.Read(ref _subscribers);

    public int TopicCount => _topics.Count;

    public long Published => Interlocked.Read(ref _published);

    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Messages dropped from full subscriber buffers since start (ended subscriptions included).</summary>
    public long Dropped
    {
        get
        {
            var total = Interlocked.Read(ref _droppedByEnded);
            foreach (var subscribers in _topics.Values)
            {
                foreach (var subscription in subscribers)
                {
                    total += subscription.Dropped;
                }
            }

            return total;
        }
    }

    public void Attach(EndpointCaller caller) => Caller = caller;

    public void Attach(RedisBusBridge bridge) => Bridge = bridge;

    public int SubscribersOf(string topic) => _topics.TryGetValue(topic, out var subscribers) ? subscribers.Length : 0;

    /// <summary>Throws a 400 <see cref="HandlerError"/> unless <paramref name="topic"/> is a usable topic name.</summary>
    public static void ValidateTopic(string? topic)
    {
        if (string.IsNullOrEmpty(topic))
        {
            throw HandlerError.BadRequest("bus topic must not be empty");
        }

        if (topic.Length > MaxTopicLength)
        {
            throw HandlerError.BadRequest($"bus topic is {topic.Length} characters long; the limit is {MaxTopicLength}");
        }

        foreach (var c in topic)
        {
            if (char.IsControl(c))
            {
                throw HandlerError.BadRequest($"bus topic must not contain control characters (found U+{(int)c:X4})");
            }
        }
    }

    /// <summary>Throws a 413 <see cref="HandlerError"/> when <paramref name="message"/> is over <see cref="MaxMessageBytes"/>.</summary>
    public static void ValidateMessage(string? message)
    {
        ArgumentNullException.ThrowIfNull(message);

        // PERF: a message this short cannot be over the limit (at most 3 UTF-8 bytes per UTF-16 unit); skip the count.
        if (message.Length > MaxMessageBytes / 3 && Encoding.UTF8.GetByteCount(message) is var bytes && bytes > MaxMessageBytes)
        {
            throw HandlerError.PayloadTooLarge($"bus message is {bytes} bytes; the limit is {MaxMessageBytes} bytes");
        }
    }

    /// <summary>Delivers locally, then (when bridged) sends to the other instances; returns the local subscribers reached.</summary>
    public async Task<int> PublishAsync(string topic, string message)
    {
        ValidateTopic(topic);
        ValidateMessage(message);
        var reached = DeliverLocal(topic, message);
        if (Bridge is { } bridge)
        {
            await bridge.PublishAsync(topic, message).ConfigureAwait(false);
        }

        return reached;
    }

    /// <summary>Offers <paramref name="message"/> to every local subscriber of <paramref name="topic"/>; never waits.</summary>
    public int DeliverLocal(string topic, string message)
    {
        Interlocked.Increment(ref _published);
        if (!_topics.TryGetValue(topic, out var subscribers))
        {
            return 0;
        }

        foreach (var subscription in subscribers)
        {
            subscription.Offer(message);
        }

        Interlocked.Add(ref _delivered, subscribers.Length);
        return subscribers.Length;
    }

    public BusSubscription Subscribe(string topic)
    {
        ValidateTopic(topic);
        var subscription = new BusSubscription(topic, SubscriberCapacity);

        // Copy-on-write: publishers read the array without a lock; (un)subscribing is the rare side.
        lock (_lock)
        {
            _topics[topic] = _topics.TryGetValue(topic, out var current) ? [.. current, subscription] : [subscription];
            _subscribers++;
        }

        return subscription;
    }

    public void Unsubscribe(BusSubscription subscription)
    {
        lock (_lock)
        {
            if (!_topics.TryGetValue(subscription.Topic, out var current) || Array.IndexOf(current, subscription) < 0)
            {
                return;
            }

            if (current.Length == 1)
            {
                _topics.TryRemove(subscription.Topic, out _);
            }
            else
            {
                _topics[subscription.Topic] = [.. current.Where(s => !ReferenceEquals(s, subscription))];
            }

            _subscribers--;
        }

        subscription.Complete();
        Interlocked.Add(ref _droppedByEnded, subscription.Dropped);
    }
}
