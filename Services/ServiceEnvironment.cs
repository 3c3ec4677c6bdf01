namespace Edge.Services;

/// <summary>What connectors may use from the host: a private folder for state files (known hosts, keys) and logging.</summary>
internal sealed record ServiceEnvironment(string StateDir, ILoggerFactory Loggers);
