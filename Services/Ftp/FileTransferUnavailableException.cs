namespace Edge.Services.Ftp;

/// <summary>The file server could not be reached or used at all (connection, TLS, host key or login failure): 503.</summary>
internal sealed class FileTransferUnavailableException(string message, Exception? innerException = null)
    : Exception(message, innerException);
