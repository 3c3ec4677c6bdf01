namespace Edge.Services.Ftp;

/// <summary>An operation the file server refused or failed, with its reply (500 unless the connector knows better).</summary>
internal class FileTransferException(string message, Exception? innerException = null)
    : Exception(message, innerException);
