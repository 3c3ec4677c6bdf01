using Edge.Services;

namespace Edge.Gateway.Admin;

/// <summary>
/// <c>GET /api/service-types</c>: the service types and their <c>config</c> fields, read from the same schema that
/// validates configs (<see cref="ServiceSchemas"/>), with a label, each field's default as the connector applies it,
/// and a one-line description, so the page can draw a form per type.
/// </summary>
internal static class ServiceTypesApi
{
    private static readonly Dictionary<string, string> Labels = new(StringComparer.Ordinal)
    {
        ["sqlite"] = "SQLite",
        ["postgres"] = "PostgreSQL",
        ["mysql"] = "MySQL",
        ["redis"] = "Redis",
        ["minio"] = "S3 (MinIO or any S3-compatible store)",
        ["ftp"] = "FTP, FTPS or SFTP",
        ["email"] = "SMTP (email)",
    };

    private static readonly Dictionary<string, string> Descriptions = new(StringComparer.Ordinal)
    {
        ["path"] = "the database file (absolute path)",
        ["create_if_missing"] = "create the file when it does not exist",
        ["host"] = "server host name or address",
        ["port"] = "server port",
        ["database"] = "database name",
        ["username"] = "user name",
        ["password"] = "password (write-only: never shown again)",
        ["ssl_mode"] = "TLS: disable, prefer, require, verify-ca or verify-full",
        ["use_ssl"] = "connect with TLS",
        ["use_tls"] = "connect with TLS",
        ["pool_size"] = "connections kept open at most",
        ["endpoint"] = "host:port or an http(s):// URL of the S3 endpoint",
        ["access_key"] = "access key id",
        ["secret_key"] = "secret access key (write-only: never shown again)",
        ["bucket"] = "bucket name",
        ["region"] = "S3 region",
        ["protocol"] = "ftp, ftps (explicit TLS) or sftp (SSH)",
        ["base_path"] = "folder that relative paths start from",
        ["timeout_seconds"] = "connect timeout",
        ["passive"] = "FTP passive mode",
        ["private_key_path"] = "SFTP private key file",
        ["private_key"] = "SFTP private key, PEM text (write-only: never shown again)",
        ["known_hosts_path"] = "SFTP known_hosts file that the server's key must be in",
        ["host_key_fingerprint"] = "SFTP server key fingerprint (SHA256:…)",
        ["encryption"] = "none or starttls (implicit TLS on 465 is not supported)",
        ["from_address"] = "sender address",
        ["from_name"] = "sender display name",
        ["ca_cert_path"] = "PEM bundle of the CAs the server's certificate must chain to",
        ["tls_skip_verify"] = "accept any server certificate (testing only)",
        ["max_in_flight"] = "calls running at once at most",
        ["max_queue"] = "calls waiting for a slot at most (more fail at once)",
        ["call_timeout_ms"] = "how long one call may take",
    };

    public static void Map(RouteGroupBuilder api) =>
        api.MapGet("/service-types", () => AdminJson.Ok(ServiceSchemas.Types.Keys.Order(StringComparer.Ordinal).Select(type => new
        {
            Type = type,
            Label = Labels.GetValueOrDefault(type, type),
            Fields = ServiceSchemas.Types[type].Select(f => new
            {
                f.Name,
                Kind = KindOf(f),
                f.Required,
                Default = DefaultOf(type, f.Name),
                Options = f.Allowed,
                Description = DescriptionOf(type, f.Name),
            }),
        })));

    private static string DescriptionOf(string type, string field) => (type, field) switch
    {
        ("ftp", "port") => "server port (default 21 for ftp and ftps, 22 for sftp)",
        ("email", "port") => "server port (default 587 with starttls, else 25)",
        ("postgres", "ssl_mode") => "TLS: disable, prefer, require, verify-ca or verify-full (default prefer, verify-full with ca_cert_path)",
        ("redis", "database") => "database number",
        _ => Descriptions.GetValueOrDefault(field, ""),
    };

    private static string KindOf(ConfigField field) => field switch
    {
        { Secret: true } => "secret",
        { Kind: ConfigFieldKind.Integer } => "int",
        { Kind: ConfigFieldKind.Boolean } => "bool",
        { Kind: ConfigFieldKind.Choice } => "enum",
        _ => "string",
    };

    /// <summary>What the connector uses when the field is left out (null: nothing, or it depends on other fields).</summary>
    private static object? DefaultOf(string type, string field) => (type, field) switch
    {
        (_, "max_in_flight") => type == "redis" ? ServiceLimits.DefaultRedisMaxInFlight : ServiceLimits.DefaultMaxInFlight,
        (_, "max_queue") => ServiceLimits.DefaultMaxQueue,
        (_, "call_timeout_ms") => ServiceLimits.DefaultCallTimeoutMs,
        (_, "tls_skip_verify") => false,
        ("sqlite", "create_if_missing") => false,
        ("postgres", "port") => Services.Sql.PostgresService.DefaultPort,
        ("mysql", "port") => Services.Sql.MySqlService.DefaultPort,
        ("mysql", "use_ssl") => false,
        ("redis", "port") => 6379,
        ("redis", "database") => 0,
        ("redis", "use_tls") => false,
        ("minio", "region") => "us-east-1",
        ("ftp", "port") => null,
        ("ftp", "passive") => true,
        ("email", "encryption") => "none",
        _ => null,
    };
}
