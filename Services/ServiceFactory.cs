namespace Edge.Services;

/// <summary>Builds the connector for a service type. Building does no I/O: the first call (or a probe) connects.</summary>
internal static partial class ServiceFactory
{
    /// <summary>
    /// The connector; throws <see cref="InvalidOperationException"/> with a message naming the config field that
    /// cannot be used. Warnings (tls_skip_verify) are logged unless <c>checkOnly</c>: a config check warns nothing.
    /// </summary>
    public static ServiceInstance Create(ServiceDefinition definition, ServiceEnvironment environment, bool checkOnly = false)
    {
        var logger = environment.Loggers.CreateLogger($"Edge.Services.{definition.Type}");
        if (!checkOnly && ServiceConfig.Bool(definition.Config, "tls_skip_verify") == true)
        {
            Log.SkipVerify(logger, definition.Name, definition.Type);
        }

        return definition.Type switch
        {
            "sqlite" => new Sql.SqliteService(definition, logger),
            "postgres" => new Sql.PostgresService(definition, logger),
            "mysql" => new Sql.MySqlService(definition, logger),
            "redis" => new Redis.RedisService(definition, logger),
            "email" => new Smtp.SmtpService(definition, logger),
            "minio" => new ObjectStorage.S3Service(definition, logger),
            "ftp" when ServiceConfig.String(definition.Config, "protocol") != "sftp" => new Ftp.FtpService(definition, logger),
            "ftp" => !OperatingSystem.IsWindows()
                ? new Ftp.SftpService(definition, environment, logger)
                : throw new InvalidOperationException("config.protocol: sftp runs OpenSSH's sftp client, which edge supports on Linux and macOS"),
            _ => throw new InvalidOperationException($"service type '{definition.Type}' has no connector yet"),
        };
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3010, Level = LogLevel.Warning, Message = "service '{Name}' ({Type}): tls_skip_verify is set: the backend's TLS certificate is NOT checked (insecure)")]
        public static partial void SkipVerify(ILogger logger, string name, string type);
    }
}
