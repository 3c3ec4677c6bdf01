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

    /// <summary>The redis service that bridges the message bus across instances (<c>--bus redis:NAME</c>); null for an in-process bus.</summary>
    public string? BusRedisService { get; init; }

    /// <summary>Token from EDGE_ADMIN_TOKEN; null means read or generate DIR/admin-token.</summary>
    public string? AdminToken { get; init; }

    /// <summary>How long SIGTERM waits for in-flight requests before the process exits.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public string DatabasePath => Path.Combine(DataDir, "edge.db");
    public string CacheDir => Path.Combine(DataDir, "cache");
    public string TokenPath => Path.Combine(DataDir, "admin-token");
}
