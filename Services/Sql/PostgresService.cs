using System.Data.Common;
using System.Net.Security;
using System.Security.Authentication;
using Npgsql;

namespace Edge.Services.Sql;

/// <summary>
/// PostgreSQL through one <see cref="NpgsqlDataSource"/> (its own pool, sized to the service's concurrency).
/// TLS follows libpq's <c>ssl_mode</c>; <c>ca_cert_path</c> makes the private CA the trust root and defaults the
/// mode to <c>verify-full</c>. Certificates are checked by <see cref="TlsTrust"/> (not Npgsql), so a refusal says why
/// and no PGSSLROOTCERT or ~/.postgresql file changes what is trusted.
/// </summary>
internal sealed class PostgresService : SqlService
{
    public const int DefaultPort = 5432;

    private readonly NpgsqlDataSource _dataSource;

    public PostgresService(ServiceDefinition definition, ILogger logger)
        : base(definition, logger)
    {
        var trust = TlsTrust.From(Config);
        var host = ServiceConfig.RequiredString(Config, "host");
        var sslMode = ServiceConfig.String(Config, "ssl_mode") ?? (trust.Roots is null ? "prefer" : "verify-full");
        if (sslMode is "disable" or "prefer" && trust.Roots is not null)
        {
            throw new InvalidOperationException($"config.ssl_mode: '{sslMode}' never checks a certificate, but ca_cert_path is set: use verify-full");
        }

        if (sslMode == "disable" && trust.SkipVerify)
        {
            throw new InvalidOperationException("config.ssl_mode: is 'disable', but tls_skip_verify asks for TLS");
        }

        // libpq: "require" with a root certificate verifies the chain like verify-ca.
        var verify = sslMode switch
        {
            "verify-full" => Verification.Full,
            "verify-ca" => Verification.Chain,
            "require" when trust.Roots is not null => Verification.Chain,
            _ => Verification.None,
        };
        var connection = new NpgsqlConnectionStringBuilder
        {
            Host = host,
            Port = ServiceConfig.Int(Config, "port") ?? DefaultPort,
            Database = ServiceConfig.RequiredString(Config, "database"),
            Username = ServiceConfig.RequiredString(Config, "username"),
            Password = ServiceConfig.String(Config, "password"),
            // Npgsql's Require encrypts and leaves the certificate to the callback below.
            SslMode = sslMode switch
            {
                "disable" => SslMode.Disable,
                "prefer" => SslMode.Prefer,
                _ => SslMode.Require,
            },
            MaxPoolSize = ServiceConfig.Int(Config, "pool_size") ?? Limits.MaxInFlight,
            Timeout = ConnectTimeoutSeconds,
            CommandTimeout = CommandTimeoutSeconds,
            ApplicationName = "edge",
            Enlist = false,
        };
        var builder = new NpgsqlDataSourceBuilder(connection.ConnectionString);
        if (verify != Verification.None)
        {
            var check = Check(trust, verify, host);
            builder.UseSslClientAuthenticationOptionsCallback(options => options.RemoteCertificateValidationCallback = check);
        }

        _dataSource = builder.Build();
    }

    private enum Verification
    {
        None,
        Chain,
        Full,
    }

    public override string Engine => "postgres";

    protected override SqlThreading Threading => SqlThreading.Async;

    protected override string VersionQuery => "SELECT version()";

    protected override async ValueTask<DbConnection> OpenAsync(CancellationToken cancel) =>
        await _dataSource.OpenConnectionAsync(cancel).ConfigureAwait(false);

    protected override bool IsBroken(Exception error) => error switch
    {
        // 08 connection exception, 28 authorization, 3D000 no such database, 53300 too many connections,
        // 57P01-03 shutdown / crash / starting up: the server cannot serve this service right now.
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState.StartsWith("28", StringComparison.Ordinal) ||
            pg.SqlState is "3D000" or "53300" or "57P01" or "57P02" or "57P03",
        // Every other Npgsql failure is client side: socket, TLS, protocol, pool exhausted.
        NpgsqlException => true,
        _ => false,
    };

    protected override void ClearPool() => _dataSource.Clear();

    protected override string ErrorMessage(Exception error) =>
        error is PostgresException pg ? $"{pg.SqlState}: {pg.MessageText}" : error.Message;

    protected override string DescribeVersion(string version) => version;

    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    /// <summary>
    /// The certificate check for verify-ca / verify-full. A refusal throws, so the handshake error (and the 503 or
    /// /test answer built from it) says which check failed instead of "rejected by the callback".
    /// </summary>
    private static RemoteCertificateValidationCallback Check(TlsTrust trust, Verification verify, string host) =>
        (sender, certificate, chain, errors) =>
        {
            var relevant = verify == Verification.Full ? errors : errors & ~SslPolicyErrors.RemoteCertificateNameMismatch;
            if (trust.Validate(sender, certificate, chain, relevant))
            {
                return true;
            }

            throw new AuthenticationException(
                (relevant & SslPolicyErrors.RemoteCertificateNotAvailable) != 0 ? "TLS: the server sent no certificate"
                : (relevant & SslPolicyErrors.RemoteCertificateNameMismatch) != 0 ? $"TLS: the server certificate is not issued for host '{host}' (ssl_mode verify-full)"
                : trust.Roots is null ? "TLS: the server certificate is not trusted by the system roots; set ca_cert_path to trust a private CA"
                : "TLS: the server certificate is not signed by the CA in ca_cert_path");
        };
}
