using System.Collections;
using System.Data.Common;
using System.Net.Sockets;
using System.Reflection;
using System.Security.Authentication;
using MySql.Data.MySqlClient;

namespace Edge.Services.Sql;

/// <summary>
/// MySQL / MariaDB through MySql.Data 8.0.16, pooled by connection string. Its async methods run synchronously,
/// so each call runs on its own thread inside the gate (<see cref="SqlThreading.DedicatedThread"/>): at most
/// <c>max_in_flight</c> threads ever wait on this server, none of them a request thread. UPDATE reports matched
/// rows (<c>UseAffectedRows=false</c>), which the records view relies on to tell "not found" from "unchanged".
/// </summary>
internal sealed class MySqlService : SqlService
{
    public const int DefaultPort = 3306;

    private readonly string _connectionString;
    private readonly bool _systemRootsOnly;

    static MySqlService() => TeachUtf8Mb3();

    public MySqlService(ServiceDefinition definition, ILogger logger)
        : base(definition, logger)
    {
        var trust = TlsTrust.From(Config);
        var useSsl = ServiceConfig.Bool(Config, "use_ssl") ?? false;
        if (!useSsl && (trust.Roots is not null || trust.SkipVerify))
        {
            throw new InvalidOperationException("config.use_ssl: must be true when ca_cert_path or tls_skip_verify is set");
        }

        var builder = new MySqlConnectionStringBuilder
        {
            Server = ServiceConfig.RequiredString(Config, "host"),
            Port = (uint)(ServiceConfig.Int(Config, "port") ?? DefaultPort),
            Database = ServiceConfig.RequiredString(Config, "database"),
            UserID = ServiceConfig.RequiredString(Config, "username"),
            Password = ServiceConfig.String(Config, "password") ?? "",
            CharacterSet = "utf8mb4",
            Pooling = true,
            MinimumPoolSize = 0,
            MaximumPoolSize = (uint)(ServiceConfig.Int(Config, "pool_size") ?? Limits.MaxInFlight),
            ConnectionTimeout = (uint)ConnectTimeoutSeconds,
            DefaultCommandTimeout = (uint)CommandTimeoutSeconds,
            UseAffectedRows = false,
            AllowUserVariables = false,
            ConvertZeroDateTime = true,
            PersistSecurityInfo = false,
            // With a private CA, 8.0.16 checks that the CA signed the server certificate but not the host name;
            // without one, any certificate error fails the handshake (system roots and host name).
            SslMode = !useSsl ? MySqlSslMode.None : trust.SkipVerify ? MySqlSslMode.Required : MySqlSslMode.VerifyCA,
        };
        if (useSsl && !trust.SkipVerify && ServiceConfig.String(Config, "ca_cert_path") is { } caPath)
        {
            builder.SslCa = Path.GetFullPath(caPath);
        }

        _systemRootsOnly = builder.SslMode == MySqlSslMode.VerifyCA && builder.SslCa is null;

        _connectionString = builder.ConnectionString;
    }

    public override string Engine => "mysql";

    protected override SqlThreading Threading => SqlThreading.DedicatedThread;

    protected override string VersionQuery => "SELECT version()";

    protected override ValueTask<DbConnection> OpenAsync(CancellationToken cancel)
    {
        var connection = new MySqlConnection(_connectionString);
        try
        {
            connection.Open();
            return ValueTask.FromResult<DbConnection>(connection);
        }
        catch (Exception ex)
        {
            connection.Dispose();
            if (Explain(ex) is { } explained)
            {
                throw explained;
            }

            throw;
        }
    }

    /// <summary>A clearer message for the TLS failures 8.0.16 reports obscurely; null for the rest.</summary>
    private SqlConnectException? Explain(Exception error) => error switch
    {
        // Without SslCa, 8.0.16 accepts only what the system trusts for this host, and blames a missing file.
        MySqlException { InnerException: FileNotFoundException } when _systemRootsOnly => new SqlConnectException(
            "TLS: the server certificate is not trusted by the system roots for this host name; set ca_cert_path to trust a private CA", error),
        // "SSL Connection error." alone says nothing: the cause is in the inner exception.
        MySqlException { InnerException: { } inner } when inner is not (MySqlException or SocketException or IOException or AuthenticationException or AggregateException) =>
            new SqlConnectException($"{error.Message} ({inner.Message})", error),
        _ => null,
    };

    // KILL QUERY on a side connection: the blocked pool thread gets its answer and the slot frees.
    protected override void Interrupt(DbConnection connection, DbCommand command) => command.Cancel();

    protected override bool IsBroken(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            // 1040 too many connections, 1042/2002/2003 cannot connect, 1044/1045 access denied, 1049 unknown
            // database, 1053 shutdown, 1129/1130 host blocked/not allowed, 1203 user connection limit,
            // 1927 connection killed (MariaDB), 2006/2013 server gone / connection lost.
            if (e is MySqlException { Number: 1040 or 1042 or 1044 or 1045 or 1049 or 1053 or 1129 or 1130 or 1203 or 1927 or 2002 or 2003 or 2006 or 2013 } ||
                e is SocketException or IOException or AuthenticationException)
            {
                return true;
            }
        }

        return false;
    }

    protected override void ClearPool()
    {
        using var connection = new MySqlConnection(_connectionString);
        MySqlConnection.ClearPool(connection);
    }

    // "Fatal error encountered during command execution." says nothing: the inner error does.
    protected override string ErrorMessage(Exception error) =>
        error is MySqlException { InnerException: MySqlException inner } ? inner.Message : error.Message;

    protected override string DescribeVersion(string version) =>
        version.Contains("MariaDB", StringComparison.OrdinalIgnoreCase) ? $"MariaDB {version}" : $"MySQL {version}";

    protected override object AdaptParameter(object value) => value switch
    {
        // 8.0.16 has no DateTimeOffset parameters; DATETIME columns hold UTC by convention.
        DateTimeOffset d => d.UtcDateTime,
        _ => value,
    };

    public override ValueTask DisposeAsync()
    {
        ClearPool();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// MariaDB 10.6+ (and MySQL 8.0.30+) name utf8 <c>utf8mb3</c>, which MySql.Data 8.0.16's charset map lacks: every
    /// text column of a server function (<c>version()</c>, system variables) then fails to decode and desynchronises
    /// the connection. The map is the library's private static table; the missing name is added once, as the alias
    /// of <c>utf8</c> that it is (later MySql.Data versions do the same).
    /// </summary>
    private static void TeachUtf8Mb3()
    {
        var field = typeof(MySqlConnection).Assembly.GetType("MySql.Data.MySqlClient.CharSetMap")
            ?.GetField("_mapping", BindingFlags.NonPublic | BindingFlags.Static);
        if (field?.GetValue(null) is IDictionary map && map.Contains("utf8") && !map.Contains("utf8mb3"))
        {
            lock (map)
            {
                map["utf8mb3"] = map["utf8"];
            }
        }
    }
}
