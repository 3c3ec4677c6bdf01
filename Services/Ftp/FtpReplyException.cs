using System.Net;

namespace Edge.Services.Ftp;

/// <summary>An FTP server's negative reply to an operation, e.g. <c>550 Failed to open file.</c></summary>
internal sealed class FtpReplyException(int code, string reply, string message, WebException innerException)
    : FileTransferException(message, innerException)
{
    /// <summary>The reply code (550, 553…).</summary>
    public int Code { get; } = code;

    /// <summary>The reply line as the server sent it.</summary>
    public string Reply { get; } = reply;
}
