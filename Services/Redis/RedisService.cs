using System.Globalization;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.RegularExpressions;
using Edge.Sdk;
using StackExchange.Redis;

namespace Edge.Services.Redis;

/// <summary>
/// A <c>redis</c> service: one <see cref="ConnectionMultiplexer"/> (it pipelines every caller over one socket,
/// so no pool), connected on first use and reconnecting by itself after the server comes back
/// (<c>AbortOnConnectFail = false</c>). The password lives only in <see cref="ConfigurationOptions"/>, whose
/// <c>ToString()</c> prints it: that string is never logged, and every message that leaves here is scrubbed.
/// </summary>
internal sealed partial class RedisService : ServiceInstance
{
    /// <summary>The longest key accepted (Redis takes 512 MB; a key this long is a bug in the handler).</summary>
    public const int MaxKeyLength = 1024;

    /// <summary>Longest wait for a TCP (+TLS) connect; below the probe limit so a dead server is reported, not timed out.</summary>
    public const int MaxConnectTimeoutMs = 3_000;

    private readonly ConfigurationOptions _options;
    private readonly string _endpoint;
    private readonly string? _password;
    private readonly int _database;
    private readonly Lock _connectLock = new();
    private Task<ConnectionMultiplexer>? _connecting;
    private int _disposed;

    public RedisService(ServiceDefinition definition, ILogger logger)
        : base(definition, logger)
    {
        var host = ServiceConfig.RequiredString(Config, "host");
        var port = ServiceConfig.Int(Config, "port") ?? 6379;
        _password = ServiceConfig.String(Config, "password");
        _database = ServiceConfig.Int(Config, "database") ?? 0;
        _endpoint = host.Contains(':', StringComparison.Ordinal) ? $"[{host}]:{port}" : $"{host}:{port}";
        _options = new ConfigurationOptions
        {
            Password = _password,
            DefaultDatabase = _database,
            ClientName = ClientNameFor(definition.Name),

            // A cache needs no pub/sub: without SUBSCRIBE the library opens one connection instead of two, and
            // with no tie-breaker key or config channel it reads and subscribes to nothing in the user's keyspace.
            CommandMap = CommandMap.Create(["SUBSCRIBE"], available: false),
            TieBreaker = "",
            ConfigurationChannel = "",
            AbortOnConnectFail = false,
            ConnectRetry = 1,
            ConnectTimeout = Math.Min(MaxConnectTimeoutMs, Limits.CallTimeoutMs),
            SyncTimeout = Limits.CallTimeoutMs,
        };
        _options.EndPoints.Add(host, port);

        // Read even without use_tls, so that an unreadable ca_cert_path is reported when the service is saved.
        var trust = TlsTrust.From(Config);
        if (ServiceConfig.Bool(Config, "use_tls") == true)
        {
            _options.Ssl = true;
            _options.SslHost = host;
            _options.CertificateValidation += trust.Validate;
        }
    }

    public override T? CreateHandle<T>(Context context)
        where T : class =>
        typeof(T) == typeof(ICache) ? (T)(object)new RedisCache(this, context.RequestAborted) : null;

    public override async Task<string> ProbeAsync(CancellationToken cancel)
    {
        var connection = await ConnectionAsync().WaitAsync(cancel).ConfigureAwait(false);
        TimeSpan latency;
        try
        {
            latency = await connection.GetDatabase(_database).PingAsync().WaitAsync(cancel).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsConnectionFailure(ex, connection))
        {
            throw Unavailable(ex);
        }

        // The version comes from the connection handshake, so it is only meaningful once a PING went through.
        var version = connection.GetServer(connection.GetEndPoints()[0]).Version;
        return string.Create(CultureInfo.InvariantCulture,
            $"Redis {version} at {_endpoint}{(_options.Ssl ? " (TLS)" : "")}, database {_database}, PING {latency.TotalMilliseconds:0.###} ms");
    }

    /// <summary>"host:port" of the server (no credentials), for log lines.</summary>
    public string Address => _endpoint;

    /// <summary>
    /// Options for the message bus's own connection to this server: the same server, credentials and TLS, with
    /// SUBSCRIBE allowed (the cache connection leaves it off) and a client name of its own.
    /// </summary>
    public ConfigurationOptions BusOptions()
    {
        var options = _options.Clone();
        options.CommandMap = CommandMap.Default;
        options.ClientName = "edge-bus:" + ClientNameFor(Name)["edge:".Length..];
        return options;
    }

    /// <summary>A library message made fit for a log line: counters dropped, the password (should it appear) redacted.</summary>
    public string DescribeForLog(Exception error) => Scrub(Concise(error.Message));

    /// <summary>Runs one command on the service's database under the service's bounds (gate, timeout, 503 while down).</summary>
    public Task<T> CallAsync<T>(Func<StackExchange.Redis.IDatabase, Task<T>> command, CancellationToken aborted) =>
        RunAsync(async cancel =>
        {
            var connection = await ConnectionAsync().WaitAsync(cancel).ConfigureAwait(false);
            try
            {
                return await command(connection.GetDatabase(_database)).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsConnectionFailure(ex, connection))
            {
                throw Unavailable(ex);
            }
        }, aborted);

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Task<ConnectionMultiplexer>? connecting;
        lock (_connectLock)
        {
            connecting = _connecting;
        }

        if (connecting is null)
        {
            return;
        }

        ConnectionMultiplexer connection;
        try
        {
            connection = await connecting.ConfigureAwait(false);
        }
        catch (RedisUnavailableException)
        {
            return; // never connected: nothing to close
        }

        try
        {
            await connection.CloseAsync(allowCommandsToComplete: false).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or IOException or SocketException or ObjectDisposedException)
        {
            // Closing a connection that is already broken: disposing below releases the rest.
        }

        connection.Dispose();
    }

    protected override bool IsUnavailable(Exception error) =>
        error is RedisUnavailableException or RedisConnectionException or SocketException or IOException or AuthenticationException or
            ObjectDisposedException;

    protected override HandlerError Failed(Exception error) => error switch
    {
        // Connected, yet no answer within SyncTimeout: the server is alive but slow, as for the call timeout.
        RedisTimeoutException => new HandlerError(504, $"service '{Name}' did not answer in time: {Scrub(Concise(error.Message))}", error),
        _ => new HandlerError(500, $"service '{Name}': {Scrub(Concise(error.Message))}", error),
    };

    /// <summary>The multiplexer; concurrent first calls share one connect, and a connect that threw is tried again.</summary>
    private Task<ConnectionMultiplexer> ConnectionAsync()
    {
        var connecting = Volatile.Read(ref _connecting);
        if (connecting is { IsFaulted: false, IsCanceled: false })
        {
            return connecting;
        }

        lock (_connectLock)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            if (_connecting is null || _connecting.IsFaulted || _connecting.IsCanceled)
            {
                Volatile.Write(ref _connecting, ConnectAsync());
            }

            return _connecting!;
        }
    }

    private async Task<ConnectionMultiplexer> ConnectAsync()
    {
        try
        {
            // With AbortOnConnectFail = false this returns once the first attempt ended (at most ConnectTimeout),
            // connected or not; a disconnected multiplexer keeps retrying in the background.
            var connection = await ConnectionMultiplexer.ConnectAsync(_options).ConfigureAwait(false);
            connection.IncludeDetailInExceptions = false;
            return connection;
        }
        catch (Exception ex) when (ex is RedisException or SocketException or IOException or ArgumentException)
        {
            throw Unavailable(ex);
        }
    }

    /// <summary>"edge:&lt;service&gt;" for CLIENT LIST, in the characters Redis allows in a client name (no spaces).</summary>
    private static string ClientNameFor(string service)
    {
        var name = "edge:" + new string([.. service.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_')]);
        return name.Length > 64 ? name[..64] : name;
    }

    private static bool IsConnectionFailure(Exception error, ConnectionMultiplexer connection) =>
        error is RedisConnectionException or SocketException or IOException or AuthenticationException ||
        (error is RedisTimeoutException && !connection.IsConnected);

    private RedisUnavailableException Unavailable(Exception error)
    {
        var message = Concise(error.Message);
        for (var inner = error.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException or IOException or AuthenticationException)
            {
                if (!message.Contains(inner.Message, StringComparison.Ordinal))
                {
                    message = $"{message} ({inner.Message})";
                }

                break;
            }
        }

        return new RedisUnavailableException($"Redis at {_endpoint}: {Scrub(message)}");
    }

    /// <summary>
    /// The library's messages end in a dump of connection counters (", origin: …, input-buffer: …"): useful in a
    /// debugger, noise in an HTTP answer.
    /// </summary>
    private static string Concise(string message)
    {
        var match = CounterDump().Match(message);
        return match.Success ? message[..match.Index] : message;
    }

    /// <summary>Defence in depth: no message that leaves the connector carries the password, whatever the library put in it.</summary>
    private string Scrub(string message) =>
        string.IsNullOrEmpty(_password) ? message : message.Replace(_password, ServiceSchemas.Redacted, StringComparison.Ordinal);

    [GeneratedRegex(@", [a-z][a-zA-Z-]*: ")]
    private static partial Regex CounterDump();
}
