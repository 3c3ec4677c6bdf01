namespace Edge.Services.Sql;

/// <summary>
/// No connection could be had (refused, authentication, TLS, missing file…): always "backend unavailable".
/// Its message is the driver's own (plus the socket/TLS cause), which never holds the connection string.
/// </summary>
internal sealed class SqlConnectException(string message, Exception? cause = null) : Exception(message, cause);
