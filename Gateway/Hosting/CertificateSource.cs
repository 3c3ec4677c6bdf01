using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Edge.Gateway.Hosting;

/// <summary>
/// A server certificate with its chain, read from a PEM pair (certificate file with any intermediates after the leaf,
/// and the key file) or a PKCS#12 file, and read again when the files change: a poll compares their modification times
/// and sizes, so renewals (certbot, cert-manager's symlink swaps) are picked up without a restart. Files that do not
/// load keep the previous certificate serving and are tried again when they next change.
/// </summary>
internal sealed partial class CertificateSource : IDisposable
{
    private readonly string _certPath;
    private readonly string? _keyPath;
    private readonly string? _password;
    private readonly Timer? _timer;
    private (DateTime, long, DateTime, long) _stamp;
    private volatile Loaded _current;

    private CertificateSource(string certPath, string? keyPath, string? password, TimeSpan? poll)
    {
        _certPath = certPath;
        _keyPath = keyPath;
        _password = password;
        _stamp = Stamp();
        _current = Read();
        if (poll is { } interval)
        {
            _timer = new Timer(_ => Poll(), null, interval, interval);
        }
    }

    /// <summary>Where reloads are reported; set once the host's logging exists.</summary>
    public ILogger Logger { get; set; } = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    /// <summary>The certificate being served now.</summary>
    public X509Certificate2 Certificate => _current.Leaf;

    /// <summary>The leaf and its intermediates, as TLS handshakes send them.</summary>
    public SslStreamCertificateContext Context => _current.Context;

    /// <summary>Loads the files now (throwing <see cref="InvalidOperationException"/> with a one-line reason) and polls them.</summary>
    public static CertificateSource Open(string certPath, string? keyPath, string? password, TimeSpan? poll) =>
        new(certPath, keyPath, password, poll);

    public static bool IsPkcs12(string path) =>
        path.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".p12", StringComparison.OrdinalIgnoreCase);

    /// <summary>Checks the files once (the poll does this on its timer); true when a new certificate was loaded.</summary>
    public bool Poll()
    {
        var stamp = Stamp();
        if (stamp == _stamp)
        {
            return false;
        }

        // Remembered even when the load fails: a half-written file is retried when its writer touches it again.
        _stamp = stamp;
        try
        {
            var loaded = Read();
            _current = loaded;
            Log.Reloaded(Logger, _certPath, loaded.Leaf.Subject, loaded.Leaf.NotAfter.ToUniversalTime());
            return true;
        }
        catch (InvalidOperationException ex)
        {
            Log.ReloadFailed(Logger, _certPath, ex.Message);
            return false;
        }
    }

    public void Dispose() => _timer?.Dispose();

    private (DateTime, long, DateTime, long) Stamp()
    {
        static (DateTime, long) Of(string? path)
        {
            if (path is null)
            {
                return default;
            }

            var info = new FileInfo(path);
            return info.Exists ? (info.LastWriteTimeUtc, info.Length) : default;
        }

        var (certTime, certLength) = Of(_certPath);
        var (keyTime, keyLength) = Of(_keyPath);
        return (certTime, certLength, keyTime, keyLength);
    }

    private Loaded Read()
    {
        try
        {
            X509Certificate2 leaf;
            var intermediates = new X509Certificate2Collection();
            if (_keyPath is null)
            {
                var all = X509CertificateLoader.LoadPkcs12CollectionFromFile(_certPath, _password);
                leaf = all.FirstOrDefault(c => c.HasPrivateKey)
                    ?? throw new InvalidOperationException($"{_certPath} holds no certificate with a private key");
                intermediates.AddRange(all.Where(c => !ReferenceEquals(c, leaf)).ToArray());
            }
            else
            {
                leaf = X509Certificate2.CreateFromPemFile(_certPath, _keyPath);
                var all = new X509Certificate2Collection();
                all.ImportFromPemFile(_certPath);
                intermediates.AddRange(all.Skip(1).ToArray());
            }

            return new Loaded(leaf, SslStreamCertificateContext.Create(leaf, intermediates, offline: true));
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new InvalidOperationException($"cannot load the certificate {_certPath}{(_keyPath is null ? "" : $" with key {_keyPath}")}: {ex.Message}", ex);
        }
    }

    private sealed record Loaded(X509Certificate2 Leaf, SslStreamCertificateContext Context);

    private static partial class Log
    {
        [LoggerMessage(EventIds.CertificateReloaded, LogLevel.Information, "TLS certificate {Path} reloaded: {Subject}, valid until {NotAfter:u}")]
        public static partial void Reloaded(ILogger logger, string path, string subject, DateTime notAfter);

        [LoggerMessage(EventIds.CertificateReloadFailed, LogLevel.Warning, "TLS certificate {Path} changed but does not load; the previous one keeps serving: {Reason}")]
        public static partial void ReloadFailed(ILogger logger, string path, string reason);
    }
}
