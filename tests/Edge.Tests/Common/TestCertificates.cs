using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Edge.Tests.Common;

/// <summary>
/// Real X.509 certificates made by the tests (ECDSA P-256): a CA, and server or client certificates it signs, with
/// any names and validity dates (expired ones too), written as PEM files for edge, curl and openssl.
/// </summary>
public static class TestCertificates
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    /// <summary>A self-signed CA certificate with its key.</summary>
    public static X509Certificate2 CreateCa(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-90), DateTimeOffset.UtcNow.AddYears(1));
    }

    /// <summary>A server certificate for <paramref name="dnsName"/> (and 127.0.0.1) signed by <paramref name="ca"/>.</summary>
    public static X509Certificate2 CreateServer(X509Certificate2 ca, string dnsName = "localhost", DateTimeOffset? notAfter = null) =>
        Issue(ca, dnsName, [dnsName], [IPAddress.Loopback], ServerAuth, notAfter);

    /// <summary>A client certificate with common name <paramref name="commonName"/> signed by <paramref name="ca"/>.</summary>
    public static X509Certificate2 CreateClient(X509Certificate2 ca, string commonName, DateTimeOffset? notAfter = null, bool serverUseOnly = false) =>
        Issue(ca, commonName, [commonName + ".clients.test"], [], serverUseOnly ? ServerAuth : ClientAuth, notAfter);

    /// <summary>Writes the certificate and its key as <c>NAME.pem</c> and <c>NAME.key</c> in <paramref name="folder"/>; their paths.</summary>
    public static (string Cert, string Key) WritePem(X509Certificate2 certificate, string folder, string name)
    {
        var cert = Path.Combine(folder, name + ".pem");
        var key = Path.Combine(folder, name + ".key");
        File.WriteAllText(cert, certificate.ExportCertificatePem() + "\n");
        using var privateKey = certificate.GetECDsaPrivateKey()!;
        File.WriteAllText(key, privateKey.ExportPkcs8PrivateKeyPem() + "\n");
        return (cert, key);
    }

    /// <summary>True when <paramref name="certificate"/> chains to <paramref name="ca"/> alone and is within its dates.</summary>
    public static bool ChainsTo(X509Certificate? certificate, X509Certificate2 ca)
    {
        if (certificate is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, string commonName, string[] dnsNames, IPAddress[] addresses, Oid usage, DateTimeOffset? notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], false));
        var names = new SubjectAlternativeNameBuilder();
        foreach (var dns in dnsNames)
        {
            names.AddDnsName(dns);
        }

        foreach (var address in addresses)
        {
            names.AddIpAddress(address);
        }

        request.CertificateExtensions.Add(names.Build());
        var end = notAfter ?? DateTimeOffset.UtcNow.AddDays(30);
        var start = end < DateTimeOffset.UtcNow ? end.AddDays(-30) : DateTimeOffset.UtcNow.AddDays(-1);
        using var issued = request.Create(ca, start, end, RandomNumberGenerator.GetBytes(12));
        return issued.CopyWithPrivateKey(key);
    }
}
