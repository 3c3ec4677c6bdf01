using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Edge.Gateway.Hosting;

/// <summary>
/// Checks client certificates against the operator's CA bundle only (<c>--client-ca</c>), never the system's roots:
/// the chain must end at one of those CAs, every certificate in it must be within its validity dates, and a leaf that
/// states its uses must allow client authentication. Revocation is not checked (no CRL or OCSP fetches at the edge).
/// </summary>
internal sealed class ClientCertificateValidator
{
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2", "Client Authentication");

    private readonly X509Certificate2Collection _roots;
    private readonly TimeProvider _time;

    private ClientCertificateValidator(X509Certificate2Collection roots, TimeProvider time)
    {
        _roots = roots;
        _time = time;
    }

    /// <summary>Reads the CA bundle (throwing <see cref="InvalidOperationException"/> with a one-line reason).</summary>
    public static ClientCertificateValidator Open(string caPath, TimeProvider time)
    {
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(caPath);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"cannot read the client CA bundle {caPath}: {ex.Message}", ex);
        }

        if (roots.Count == 0)
        {
            throw new InvalidOperationException($"the client CA bundle {caPath} holds no PEM certificate");
        }

        return new ClientCertificateValidator(roots, time);
    }

    /// <summary>Null when <paramref name="certificate"/> is acceptable, else why not (for the log).</summary>
    public string? Check(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.AddRange(_roots);
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.ApplicationPolicy.Add(ClientAuthentication);
        policy.VerificationTime = _time.GetUtcNow().UtcDateTime;
        policy.VerificationTimeIgnored = false;
        if (chain.Build(certificate))
        {
            return null;
        }

        var problems = chain.ChainStatus.Select(s => s.Status.ToString()).Distinct();
        return string.Join(", ", problems);
    }
}
