using Amazon.Runtime;

namespace Edge.Services.ObjectStorage;

/// <summary>
/// The one <see cref="HttpClient"/> an S3 service sends through: the service's TLS trust (private CA or
/// <c>tls_skip_verify</c>) on the certificate check, its timeouts, no redirects and no proxy from the
/// environment. The SDK is told not to cache or dispose it: the service owns it and disposes it with the client.
/// </summary>
internal sealed class S3HttpClientFactory : HttpClientFactory, IDisposable
{
    private static readonly TimeSpan MaxConnectTimeout = TimeSpan.FromSeconds(10);

    private readonly HttpClient _client;

    public S3HttpClientFactory(TlsTrust trust, TimeSpan callTimeout)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            ConnectTimeout = callTimeout < MaxConnectTimeout ? callTimeout : MaxConnectTimeout,

            // A restarted or failed-over store gets new connections soon, not after the pool's idle default.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        };
        handler.SslOptions.RemoteCertificateValidationCallback = trust.Validate;

        // The gateway's call timeout (RunAsync) normally ends a call first; this one stops a request nobody cancels.
        _client = new HttpClient(handler) { Timeout = callTimeout + TimeSpan.FromSeconds(1) };
    }

    public override HttpClient CreateHttpClient(IClientConfig clientConfig) => _client;

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

    public void Dispose() => _client.Dispose();
}
