namespace Edge.Gateway.Hosting;

/// <summary>What a TLS client of the gateway port must show (<c>--client-cert-mode</c>).</summary>
internal enum ClientCertMode
{
    /// <summary>No certificate is asked for.</summary>
    None,

    /// <summary>A certificate is asked for; one that is sent must chain to <c>--client-ca</c>, but none is also fine.</summary>
    Optional,

    /// <summary>Every connection must present a certificate that chains to <c>--client-ca</c>.</summary>
    Required,
}
