using System.Net.Security;
using System.Reflection;
using System.Security.Authentication;

namespace Edge.Services.Ftp;

/// <summary>
/// Ends an FTPS upload the way TLS requires. FtpWebRequest closes the data connection of an upload without a TLS
/// close_notify, so servers that insist on one (vsftpd with <c>strict_ssl_read_eof</c>, Debian's default) answer
/// <c>426</c> and keep a truncated file; with TLS 1.3 the server's unread session tickets even turn the close into
/// a TCP reset that throws the file's last bytes away. FtpWebRequest has no public way to shut TLS down, so this
/// finds the data connection's <see cref="SslStream"/> inside the request stream (by type, not by field name),
/// sends close_notify and reads until the server closes. When the layout is not found, the upload goes on as
/// FtpWebRequest does it and a strict server's 426 is reported as such.
/// </summary>
internal static class FtpsDataChannel
{
    /// <summary>How long to wait, after close_notify, for the server to close the data connection.</summary>
    public static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(1);

    /// <summary>Sends close_notify on the upload stream's TLS layer; true when one was found.</summary>
    public static async Task<bool> CloseNotifyAsync(Stream uploadStream, CancellationToken cancel)
    {
        if (Find(uploadStream, depth: 0) is not { } tls)
        {
            return false;
        }

        await tls.ShutdownAsync().WaitAsync(cancel).ConfigureAwait(false);
        if (tls.SslProtocol != SslProtocols.Tls13)
        {
            return true;
        }

        // TLS 1.3: read the session tickets the server sent after the handshake (and its own close_notify), so
        // that closing the socket sends FIN and not RST.
        using var drain = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        drain.CancelAfter(DrainLimit);
        var buffer = new byte[256];
        try
        {
            while (await tls.ReadAsync(buffer, drain.Token).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException &&
                                   !cancel.IsCancellationRequested)
        {
            // The server closed abruptly or did not close in time: the data and close_notify are sent either way.
        }

        return true;
    }

    private static SslStream? Find(Stream stream, int depth)
    {
        if (stream is SslStream tls)
        {
            return tls;
        }

        // .NET 10 keeps the SslStream in a field of FtpDataStream; earlier versions one level deeper, in TlsStream.
        if (depth > 1)
        {
            return null;
        }

        for (var type = stream.GetType(); type is not null && type != typeof(Stream); type = type.BaseType)
        {
            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (typeof(Stream).IsAssignableFrom(field.FieldType) && field.GetValue(stream) is Stream inner && !ReferenceEquals(inner, stream) &&
                    Find(inner, depth + 1) is { } found)
                {
                    return found;
                }
            }
        }

        return null;
    }
}
