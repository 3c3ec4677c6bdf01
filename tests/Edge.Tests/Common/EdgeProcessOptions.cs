namespace Edge.Tests.Common;

/// <summary>How <see cref="EdgeProcess"/> starts the gateway.</summary>
public sealed record EdgeProcessOptions
{
    /// <summary>When false, EDGE_ADMIN_TOKEN is not set and the gateway must generate <c>data/admin-token</c>.</summary>
    public bool SetAdminToken { get; init; } = true;

    /// <summary>Pass data folder and ports as EDGE_DATA / EDGE_PORT / EDGE_ADMIN_PORT instead of flags.</summary>
    public bool UseEnvironment { get; init; }

    /// <summary>Arguments placed right after edge.dll, before the standard ones (e.g. the <c>serve</c> verb).</summary>
    public IReadOnlyList<string> LeadingArgs { get; init; } = [];

    /// <summary>Extra command-line arguments appended after the standard ones.</summary>
    public IReadOnlyList<string> ExtraArgs { get; init; } = [];

    /// <summary>The admin port speaks HTTPS (the test passes --admin-tls-cert): probes and clients use https and <see cref="TrustedCa"/>.</summary>
    public bool AdminTls { get; init; }

    /// <summary>The gateway port speaks HTTPS (the test passes --tls-cert): the gateway client uses https and <see cref="TrustedCa"/>.</summary>
    public bool GatewayTls { get; init; }

    /// <summary>The CA that the clients of TLS ports trust (and nothing else).</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? TrustedCa { get; init; }

    /// <summary>Extra environment variables for the child process.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
}
