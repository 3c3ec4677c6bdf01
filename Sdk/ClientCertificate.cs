using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Edge.Sdk;

/// <summary>
/// The certificate a TLS client presented and edge verified against <c>--client-ca</c> (mutual TLS), as
/// <see cref="Request.ClientCertificate"/> gives it; null there when the connection has none.
/// </summary>
public sealed class ClientCertificate
{
    private ClientCertificate(X509Certificate2 certificate)
    {
        Subject = certificate.Subject;
        CommonName = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        Issuer = certificate.Issuer;
        Thumbprint = certificate.Thumbprint;
        Sha256Thumbprint = certificate.GetCertHashString(HashAlgorithmName.SHA256);
        SerialNumber = certificate.SerialNumber;
        NotBefore = certificate.NotBefore.ToUniversalTime();
        NotAfter = certificate.NotAfter.ToUniversalTime();
        var names = new List<string>();
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension san)
            {
                names.AddRange(san.EnumerateDnsNames());
                names.AddRange(san.EnumerateIPAddresses().Select(ip => ip.ToString()));
            }
        }

        AlternativeNames = names;
    }

    /// <summary>The subject's distinguished name, e.g. <c>CN=billing, O=Example</c>.</summary>
    public string Subject { get; }

    /// <summary>The subject's common name (CN), e.g. <c>billing</c>; empty when it has none.</summary>
    public string CommonName { get; }

    /// <summary>The issuer's distinguished name.</summary>
    public string Issuer { get; }

    /// <summary>The SHA-1 fingerprint as upper-case hex (what most tools show as "thumbprint").</summary>
    public string Thumbprint { get; }

    /// <summary>The SHA-256 fingerprint as upper-case hex.</summary>
    public string Sha256Thumbprint { get; }

    /// <summary>The serial number as upper-case hex.</summary>
    public string SerialNumber { get; }

    /// <summary>Start of validity (UTC).</summary>
    public DateTime NotBefore { get; }

    /// <summary>End of validity (UTC).</summary>
    public DateTime NotAfter { get; }

    /// <summary>The DNS names and IP addresses of its subject alternative name extension.</summary>
    public IReadOnlyList<string> AlternativeNames { get; }

    /// <summary>True when <paramref name="name"/> is the common name or one of the alternative names (case-insensitive).</summary>
    public bool HasName(string name) =>
        string.Equals(CommonName, name, StringComparison.OrdinalIgnoreCase) ||
        AlternativeNames.Contains(name, StringComparer.OrdinalIgnoreCase);

    internal static ClientCertificate? From(X509Certificate2? certificate) => certificate is null ? null : new ClientCertificate(certificate);
}
