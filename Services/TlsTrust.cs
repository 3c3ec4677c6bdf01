using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;

namespace Edge.Services;

/// <summary>
/// How a service checks its backend's TLS certificate: the system roots by default, a private CA from
/// <c>ca_cert_path</c> (PEM) when given, or nothing at all with <c>tls_skip_verify</c> (explicitly insecure,
/// warned in the log at activation). Host names are always checked unless verification is skipped.
/// </summary>
internal sealed class TlsTrust
{
    private static readonly ConcurrentDictionary<string, ConcurrentDictionary<TlsTrust, byte>> ByHost = new(StringComparer.OrdinalIgnoreCase);
    private static readonly AsyncLocal<TlsTrust?> Current = new();
    private static int _servicePointInstalled;

    private readonly X509Certificate2Collection? _roots;

    private TlsTrust(X509Certificate2Collection? roots, bool skipVerify)
    {
        _roots = roots;
        SkipVerify = skipVerify;
    }

    public static readonly TlsTrust System = new(null, false);

    public bool SkipVerify { get; }

    /// <summary>The private CA certificates, when <c>ca_cert_path</c> was given.</summary>
    public X509Certificate2Collection? Roots => _roots;

    /// <summary>Reads <c>ca_cert_path</c> and <c>tls_skip_verify</c>; throws <see cref="InvalidOperationException"/> naming an unreadable CA file.</summary>
    public static TlsTrust From(JsonObject config)
    {
        var skip = ServiceConfig.Bool(config, "tls_skip_verify") ?? false;
        var path = ServiceConfig.String(config, "ca_cert_path");
        if (path is null)
        {
            return skip ? new TlsTrust(null, true) : System;
        }

        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or global::System.Security.Cryptography.CryptographicException)
        {
            throw new InvalidOperationException($"config.ca_cert_path: cannot read a PEM certificate from '{path}': {ex.Message}", ex);
        }

        if (roots.Count == 0)
        {
            throw new InvalidOperationException($"config.ca_cert_path: '{path}' holds no PEM certificate");
        }

        return new TlsTrust(roots, skip);
    }

    /// <summary>Validates a server certificate the way this trust says (usable as a <see cref="RemoteCertificateValidationCallback"/>).</summary>
    public bool Validate(object? sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (SkipVerify)
        {
            return true;
        }

        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (_roots is null || certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0 ||
            (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            return false;
        }

        // Only the chain failed: rebuild it against the private CA alone.
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_roots);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        using var leaf = new X509Certificate2(certificate);
        return custom.Build(leaf);
    }

    /// <summary>
    /// FtpWebRequest and SmtpClient only consult the process-wide <see cref="ServicePointManager"/> callback. edge
    /// installs one dispatcher. Registering also makes this trust the current one for the calling async flow, and
    /// the handshake runs in that flow: so each service's connections are checked with that service's own trust.
    /// A handshake outside any such flow falls back to the trusts registered for its host name, where services do
    /// not weaken each other: a private CA must vouch for the certificate, and skipping verification applies only
    /// when every trust registered for that host skips it.
    /// </summary>
    public void RegisterForServicePoint(string host)
    {
        if (Interlocked.Exchange(ref _servicePointInstalled, 1) == 0)
        {
#pragma warning disable SYSLIB0014 // FtpWebRequest/SmtpClient read their TLS check only from here.
            ServicePointManager.ServerCertificateValidationCallback = DispatchByHost;
#pragma warning restore SYSLIB0014
        }

        ByHost.GetOrAdd(host, static _ => new ConcurrentDictionary<TlsTrust, byte>()).TryAdd(this, 0);
        Current.Value = this;
    }

    /// <summary>Withdraws this trust for <paramref name="host"/> (the service that registered it is closing).</summary>
    public void UnregisterForServicePoint(string host)
    {
        if (ByHost.TryGetValue(host, out var trusts))
        {
            trusts.TryRemove(this, out _);
        }
    }

    private static bool DispatchByHost(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (Current.Value is { } current)
        {
            return current.Validate(sender, certificate, chain, errors);
        }

        var host = sender switch
        {
            SslStream ssl => ssl.TargetHostName,
            WebRequest request => request.RequestUri.Host,
            _ => null,
        };
        if (host is null || !ByHost.TryGetValue(host, out var registered) || registered.IsEmpty)
        {
            return System.Validate(sender, certificate, chain, errors);
        }

        var trusts = registered.Keys;
        if (trusts.All(t => t.SkipVerify))
        {
            return true;
        }

        return trusts.Any(t => !t.SkipVerify && t.Validate(sender, certificate, chain, errors));
    }
}
