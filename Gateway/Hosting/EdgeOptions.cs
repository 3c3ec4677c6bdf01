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

    /// <summary>Where the built-in <c>/stream</c> upload/download routes keep files; null (the default) leaves the routes off.</summary>
    public Uploads.StreamStorageSpec? StreamStorage { get; init; }

    /// <summary>The largest body <c>POST /stream/upload</c> takes (413 beyond).</summary>
    public long StreamMaxBytes { get; init; } = Uploads.StreamStorageSpec.DefaultMaxBytes;

    /// <summary>Token from EDGE_ADMIN_TOKEN; null means read or generate DIR/admin-token.</summary>
    public string? AdminToken { get; init; }

    /// <summary>How long SIGTERM waits for in-flight requests before the process exits.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public string DatabasePath => Path.Combine(DataDir, "edge.db");
    public string CacheDir => Path.Combine(DataDir, "cache");
    public string TokenPath => Path.Combine(DataDir, "admin-token");
}
