using System.Net;

namespace Edge.Gateway.Hosting;

/// <summary>What the command line and environment decided: ports, addresses and the data folder.</summary>
internal sealed record EdgeOptions
{
    public const int DefaultPort = 9080;
    public const int DefaultAdminPort = 9081;

    public required string DataDir { get; init; }
    public int Port { get; init; } = DefaultPort;
    public int AdminPort { get; init; } = DefaultAdminPort;
    public IPAddress Bind { get; init; } = IPAddress.Any;
    public IPAddress AdminBind { get; init; } = IPAddress.Loopback;

    /// <summary>
    /// An extra gateway port speaking HTTP/2 with prior knowledge (h2c, no TLS), or null. Cleartext HTTP/2 cannot share
    /// a port with HTTP/1.1 (there is no ALPN without TLS), so it gets its own.
    /// </summary>
    public int? H2cPort { get; init; }

    /// <summary>PEM certificate (or PKCS#12 file) that makes the gateway port speak HTTPS (HTTP/1.1 and HTTP/2 by ALPN), or null.</summary>
    public string? TlsCert { get; init; }

    /// <summary>PEM private key of <see cref="TlsCert"/> (null for a PKCS#12 file).</summary>
    public string? TlsKey { get; init; }

    /// <summary>PEM certificate (or PKCS#12 file) that makes the admin port speak HTTPS, or null.</summary>
    public string? AdminTlsCert { get; init; }

    /// <summary>PEM private key of <see cref="AdminTlsCert"/>.</summary>
    public string? AdminTlsKey { get; init; }

    /// <summary>Password of PKCS#12 certificate files (EDGE_TLS_PASSWORD), or null.</summary>
    public string? TlsPassword { get; init; }

    /// <summary>PEM bundle of the certificate authorities client certificates must chain to, or null.</summary>
    public string? ClientCa { get; init; }

    /// <summary>Whether TLS clients of the gateway port are asked for a certificate.</summary>
    public ClientCertMode ClientCertMode { get; init; } = ClientCertMode.None;

    /// <summary>An extra plain-HTTP gateway port next to the HTTPS one, or null.</summary>
    public int? HttpPort { get; init; }

    /// <summary>True: <see cref="HttpPort"/> answers every request with a 308 to the HTTPS port instead of serving it.</summary>
    public bool HttpsRedirect { get; init; }

    /// <summary>
    /// Peers whose X-Forwarded-For / Forwarded headers are believed (<c>--trusted-proxies</c>); from anyone else those
    /// headers are ignored. Empty: the connection's address is the client's.
    /// </summary>
    public IReadOnlyList<System.Net.IPNetwork> TrustedProxies { get; init; } = [];

    /// <summary>Gateway requests in flight at most (0: no limit); one more is answered 503 at once.</summary>
    public int MaxConcurrentRequests { get; init; }

    /// <summary>Open connections per port at most (0: no limit); more wait in the accept queue.</summary>
    public int MaxConnections { get; init; }

    /// <summary>A client has this long to send a request's headers, or the connection is closed (slowloris).</summary>
    public TimeSpan HeaderTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The redis service that bridges the message bus across instances (<c>--bus redis:NAME</c>); null for an in-process bus.</summary>
    public string? BusRedisService { get; init; }

    /// <summary>Where the built-in <c>/stream</c> upload/download routes keep files; null (the default) leaves the routes off.</summary>
    public Uploads.StreamStorageSpec? StreamStorage { get; init; }

    /// <summary>Whether the <c>/stream</c> routes need a traffic key (<c>api_key</c>, the default) or not (<c>none</c>).</summary>
    public string StreamAuth { get; init; } = Config.EndpointAuth.ApiKey;

    /// <summary>The largest body <c>POST /stream/upload</c> takes (413 beyond).</summary>
    public long StreamMaxBytes { get; init; } = Uploads.StreamStorageSpec.DefaultMaxBytes;

    /// <summary>Whether the gateway counts requests and latencies per endpoint (<c>--endpoint-metrics</c>, default on).</summary>
    public bool EndpointMetrics { get; init; } = true;

    /// <summary>Token from EDGE_ADMIN_TOKEN; null means read or generate DIR/admin-token.</summary>
    public string? AdminToken { get; init; }

    /// <summary>How long SIGTERM waits for in-flight requests before the process exits.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public string DatabasePath => Path.Combine(DataDir, "edge.db");
    public string CacheDir => Path.Combine(DataDir, "cache");
    public string TokenPath => Path.Combine(DataDir, "admin-token");
}
