using Edge.Gateway.Hosting;
using Edge.Services;
using Edge.Services.Redis;
using StackExchange.Redis;

namespace Edge.Gateway.Bus;

/// <summary>
/// Carries bus topics across edge instances through Redis pub/sub (<c>--bus redis:NAME</c>). A message published here
/// goes to channel <c>edge:bus:&lt;topic&gt;</c> prefixed with this instance's id, so that this instance, which already
/// delivered it locally, skips it when Redis echoes it back.
/// </summary>
/// <remarks>
/// One pattern subscription (<c>edge:bus:*</c>) instead of one per topic: it is made once, survives reconnects
/// (the client re-subscribes), and costs nothing when SSE clients come and go by the thousand, where per-topic
/// SUBSCRIBE/UNSUBSCRIBE would race with subscriber churn. The price is that every instance receives every bus
/// message and drops those for topics it has no subscriber of (one dictionary lookup). The bridge has a connection of
/// its own (a subscribed Redis connection can do nothing else). When the service is missing or Redis is down, local
/// delivery goes on; the bridge looks for the service every few seconds and the client reconnects by itself.
/// </remarks>
internal sealed partial class RedisBusBridge : IAsyncDisposable
{
    public const string ChannelPrefix = "edge:bus:";

    private const int OriginLength = 32;
    private static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(3);

    private readonly BusHub _hub;
    private readonly ServiceManager _services;
    private readonly ILogger _logger;
    private readonly string _origin = Guid.NewGuid().ToString("N");
    private readonly RedisChannel _pattern = new(ChannelPrefix + "*", RedisChannel.PatternMode.Pattern);
    private readonly SemaphoreSlim _attachLock = new(1, 1);
    private readonly Timer _retry;
    private ConnectionMultiplexer? _connection;
    private RedisService? _redis;
    private string? _lastWaitReason;
    private int _subscribed;
    private int _disposed;
    private long _sent;
    private long _received;
    private long _failed;
    private long _lastFailureLog;

    public RedisBusBridge(BusHub hub, ServiceManager services, string serviceName, ILogger logger)
    {
        _hub = hub;
        _services = services;
        ServiceName = serviceName;
        _logger = logger;
        _retry = new Timer(_ => _ = AttachAsync(), null, Timeout.Infinite, Timeout.Infinite);
    }

    public string ServiceName { get; }

    /// <summary>True while the subscription to Redis is live.</summary>
    public bool Connected => Volatile.Read(ref _connection) is { IsConnected: true } && Volatile.Read(ref _subscribed) != 0;

    public long Sent => Interlocked.Read(ref _sent);

    public long Received => Interlocked.Read(ref _received);

    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Finds the service and connects; when it cannot yet, says why once and tries again every few seconds.</summary>
    public async Task StartAsync()
    {
        await AttachAsync().ConfigureAwait(false);
    }

    /// <summary>Hands <paramref name="message"/> to Redis for the other instances; a Redis that is down costs a count and a log line, never the publish.</summary>
    public async Task PublishAsync(string topic, string message)
    {
        var connection = Volatile.Read(ref _connection);
        if (connection is null || !connection.IsConnected)
        {
            NoteFailure("not connected");
            return;
        }

        try
        {
            await connection.GetSubscriber().PublishAsync(new RedisChannel(ChannelPrefix + topic, RedisChannel.PatternMode.Literal), _origin + message).ConfigureAwait(false);
            Interlocked.Increment(ref _sent);
        }
        catch (Exception ex) when (ex is RedisException or IOException or System.Net.Sockets.SocketException or TimeoutException or ObjectDisposedException)
        {
            NoteFailure(_redis?.DescribeForLog(ex) ?? ex.GetType().Name);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _retry.DisposeAsync().ConfigureAwait(false);
        if (Interlocked.Exchange(ref _connection, null) is { } connection)
        {
            try
            {
                await connection.CloseAsync(allowCommandsToComplete: false).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
            {
                // Closing a broken connection: disposing below releases the rest.
            }

            connection.Dispose();
        }
    }

    private async Task AttachAsync()
    {
        if (!await _attachLock.WaitAsync(0).ConfigureAwait(false))
        {
            return;
        }

        try
        {
            if (Volatile.Read(ref _disposed) != 0)
            {
                return;
            }

            if (_connection is null)
            {
                if (!_services.Directory.ByName.TryGetValue(ServiceName, out var instance))
                {
                    Wait($"there is no active service named '{ServiceName}'");
                    return;
                }

                if (instance is not RedisService redis)
                {
                    Wait($"service '{ServiceName}' is not a redis service");
                    return;
                }

                _redis = redis;
                var connection = await ConnectionMultiplexer.ConnectAsync(redis.BusOptions()).ConfigureAwait(false);
                connection.IncludeDetailInExceptions = false;
                connection.ConnectionFailed += (_, e) => OnConnectionFailed(e);
                connection.ConnectionRestored += (_, e) => OnConnectionRestored(e);
                Volatile.Write(ref _connection, connection);
            }

            if (Volatile.Read(ref _subscribed) == 0)
            {
                if (!_connection.IsConnected)
                {
                    Wait($"Redis at {_redis!.Address} (service '{ServiceName}') is not reachable");
                    return;
                }

                var subscriber = _connection.GetSubscriber();

                // A subscribe that failed half-way may have left the handler registered: remove it first, never deliver twice.
                await subscriber.UnsubscribeAsync(_pattern, OnMessage).ConfigureAwait(false);
                await subscriber.SubscribeAsync(_pattern, OnMessage).ConfigureAwait(false);
                Volatile.Write(ref _subscribed, 1);
                _lastWaitReason = null;
                Log.Connected(_logger, ServiceName, _redis!.Address, ChannelPrefix);
            }

            _retry.Change(Timeout.Infinite, Timeout.Infinite);
        }
        catch (Exception ex) when (ex is RedisException or IOException or System.Net.Sockets.SocketException or TimeoutException or ArgumentException)
        {
            Wait(_redis?.DescribeForLog(ex) ?? ex.Message);
        }
        finally
        {
            _attachLock.Release();
        }
    }

    private void Wait(string reason)
    {
        if (reason != _lastWaitReason)
        {
            _lastWaitReason = reason;
            Log.Waiting(_logger, ServiceName, reason);
        }

        if (Volatile.Read(ref _disposed) == 0)
        {
            _retry.Change(RetryEvery, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnMessage(RedisChannel channel, RedisValue value)
    {
        string? payload = value;
        string? name = channel;
        if (payload is null || name is null || payload.Length < OriginLength || !name.StartsWith(ChannelPrefix, StringComparison.Ordinal))
        {
            return;
        }

        if (string.CompareOrdinal(payload, 0, _origin, 0, OriginLength) == 0)
        {
            // Our own message echoed back: it was delivered locally when it was published.
            return;
        }

        Interlocked.Increment(ref _received);
        _hub.DeliverLocal(name[ChannelPrefix.Length..], payload[OriginLength..]);
    }

    private void OnConnectionFailed(ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription)
        {
            Log.Lost(_logger, ServiceName, e.FailureType.ToString());
        }
    }

    private void OnConnectionRestored(ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription)
        {
            Log.Restored(_logger, ServiceName);
            if (Volatile.Read(ref _subscribed) == 0)
            {
                _ = AttachAsync();
            }
        }
    }

    private void NoteFailure(string reason)
    {
        Interlocked.Increment(ref _failed);

        // PERF: one line every 10 s at most, however many publishes fail meanwhile.
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _lastFailureLog);
        if (now - last >= 10_000 && Interlocked.CompareExchange(ref _lastFailureLog, now, last) == last)
        {
            Log.PublishFailed(_logger, ServiceName, reason, Failed);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.BusBridgeWaiting, LogLevel.Warning, "bus: not bridged through Redis yet: {Reason}; messages stay in this instance, retrying every few seconds (--bus redis:{Service})")]
        public static partial void Waiting(ILogger logger, string service, string reason);

        [LoggerMessage(EventIds.BusBridgeConnected, LogLevel.Information, "bus: bridged through redis service '{Service}' at {Address} (channels {Prefix}*)")]
        public static partial void Connected(ILogger logger, string service, string address, string prefix);

        [LoggerMessage(EventIds.BusBridgeLost, LogLevel.Warning, "bus: lost the connection to redis service '{Service}' ({Failure}); local delivery goes on, reconnecting")]
        public static partial void Lost(ILogger logger, string service, string failure);

        [LoggerMessage(EventIds.BusBridgeRestored, LogLevel.Information, "bus: reconnected to redis service '{Service}'")]
        public static partial void Restored(ILogger logger, string service);

        [LoggerMessage(EventIds.BusBridgeFailed, LogLevel.Warning, "bus: a message could not be sent to redis service '{Service}' ({Reason}); {Failed} failed so far, local delivery unaffected")]
        public static partial void PublishFailed(ILogger logger, string service, string reason, long failed);
    }
}
