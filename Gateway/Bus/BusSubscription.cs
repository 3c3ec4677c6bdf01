using System.Threading.Channels;

namespace Edge.Gateway.Bus;

/// <summary>
/// One subscriber of one topic: a bounded buffer of its own. When the buffer is full the oldest message is dropped
/// (and counted), so a slow subscriber never blocks the publisher or the other subscribers.
/// </summary>
internal sealed class BusSubscription
{
    private readonly Channel<string> _channel;
    private long _dropped;

    public BusSubscription(string topic, int capacity)
    {
        Topic = topic;
        _channel = Channel.CreateBounded<string>(
            new BoundedChannelOptions(capacity)
            {
                FullMode = BoundedChannelFullMode.DropOldest,
                SingleReader = true,
                SingleWriter = false,
                AllowSynchronousContinuations = false,
            },
            _ => Interlocked.Increment(ref _dropped));
    }

    public string Topic { get; }

    public ChannelReader<string> Reader => _channel.Reader;

    /// <summary>Messages dropped because this subscriber's buffer was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Queues <paramref name="message"/>; with drop-oldest this never waits and never fails until completed.</summary>
    public bool Offer(string message) => _channel.Writer.TryWrite(message);

    public void Complete() => _channel.Writer.TryComplete();
}
