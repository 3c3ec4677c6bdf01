using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Edge.Gateway.Hosting;

/// <summary>
/// Puts TLS on a Kestrel listener: TLS 1.2 and 1.3 only, ALPN offering h2 then http/1.1, the certificate (with its
/// chain) taken from a <see cref="CertificateSource"/> at every handshake so reloads apply to new connections at once,
/// and client certificates asked for and checked when mTLS is on.
/// </summary>
internal static partial class TlsListener
{
    /// <summary>A handshake that has not finished by then is dropped (slow or stuck clients).</summary>
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    private static readonly List<SslApplicationProtocol> Protocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];

    public static void Use(ListenOptions listen, CertificateSource certificate, ClientCertificateValidator? clients, ClientCertMode mode, ILogger logger)
    {
        listen.Protocols = HttpProtocols.Http1AndHttp2;
        listen.UseHttps(new TlsHandshakeCallbackOptions
        {
            HandshakeTimeout = HandshakeTimeout,
            OnConnection = _ => ValueTask.FromResult(new SslServerAuthenticationOptions
            {
                ServerCertificateContext = certificate.Context,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                ApplicationProtocols = Protocols,
                AllowRenegotiation = false,
                ClientCertificateRequired = mode != ClientCertMode.None,
                RemoteCertificateValidationCallback = mode == ClientCertMode.None || clients is null
                    ? null
                    : (_, presented, _, _) => Accept(presented, clients, mode, logger),
            }),
        });
    }

    private static bool Accept(X509Certificate? presented, ClientCertificateValidator clients, ClientCertMode mode, ILogger logger)
    {
        if (presented is null)
        {
            if (mode == ClientCertMode.Required)
            {
                Log.Rejected(logger, "(none)", "no client certificate was presented");
                return false;
            }

            return true;
        }

        var certificate = presented as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        if (clients.Check(certificate) is { } problem)
        {
            Log.Rejected(logger, certificate.Subject, problem);
            return false;
        }

        return true;
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.ClientCertificateRejected, LogLevel.Information, "TLS client certificate '{Subject}' rejected: {Reason}")]
        public static partial void Rejected(ILogger logger, string subject, string reason);
    }
}
