using System.Data.Common;
using Npgsql;

namespace Edge.Services.Sql;

/// <summary>
/// PostgreSQL through one <see cref="NpgsqlDataSource"/> (its own pool, sized to the service's concurrency).
/// TLS follows libpq's <c>ssl_mode</c>; <c>ca_cert_path</c> makes the private CA the trust root and defaults the
/// mode to <c>verify-full</c>.
/// </summary>
internal sealed class PostgresService : SqlService
{
    public const int DefaultPort = 5432;

    private readonly NpgsqlDataSource _dataSource;

    public PostgresService(ServiceDefinition definition, ILogger logger)
        : base(definition, logger)
    {
        var trust = TlsTrust.From(Config);
        var sslMode = ServiceConfig.String(Config, "ssl_mode") ?? (trust.Roots is null ? "prefer" : "verify-full");
        if (sslMode == "disable" && (trust.Roots is not null || trust.SkipVerify))
        {
            throw new InvalidOperationException("config.ssl_mode: is 'disable', but ca_cert_path or tls_skip_verify asks for TLS");
        }

        var connection = new NpgsqlConnectionStringBuilder
        {
            Host = ServiceConfig.RequiredString(Config, "host"),
            Port = ServiceConfig.Int(Config, "port") ?? DefaultPort,
            Database = ServiceConfig.RequiredString(Config, "database"),
            Username = ServiceConfig.RequiredString(Config, "username"),
            Password = ServiceConfig.String(Config, "password"),
            SslMode = sslMode switch
            {
                "disable" => SslMode.Disable,
                "require" => SslMode.Require,
                // Npgsql's Require encrypts without checking the certificate: what tls_skip_verify asks for.
                "verify-ca" => trust.SkipVerify ? SslMode.Require : SslMode.VerifyCA,
                "verify-full" => trust.SkipVerify ? SslMode.Require : SslMode.VerifyFull,
                _ => SslMode.Prefer,
            },
            MaxPoolSize = ServiceConfig.Int(Config, "pool_size") ?? Limits.MaxInFlight,
            Timeout = ConnectTimeoutSeconds,
            CommandTimeout = CommandTimeoutSeconds,
            ApplicationName = "edge",
            Enlist = false,
        };
        var builder = new NpgsqlDataSourceBuilder(connection.ConnectionString);
        if (trust.Roots is { } roots && !trust.SkipVerify)
        {
            builder.UseRootCertificates(roots);
        }

        _dataSource = builder.Build();
    }

    public override string Engine => "postgres";

    protected override bool BlockingDriver => false;

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
}
