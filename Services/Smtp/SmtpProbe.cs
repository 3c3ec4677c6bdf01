using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Edge.Services.Smtp;

/// <summary>
/// A round trip to an SMTP server that sends no mail, for <c>/test</c> and <c>/activate</c> (SmtpClient cannot
/// connect without sending): the 220 greeting, EHLO, STARTTLS with the service's certificate check and EHLO again
/// when configured, AUTH LOGIN when a username is set, then QUIT (RFC 5321 §4.1.1, RFC 3207, RFC 4954). The AUTH
/// check matters because SmtpClient silently sends without authenticating when AUTH is not offered or fails.
/// </summary>
internal static class SmtpProbe
{
    /// <summary>Reply lines longer than this are refused (RFC 5321 §4.5.3.1.5 allows 512 octets; some servers send more).</summary>
    private const int MaxLineLength = 2048;

    private const int MaxReplyLines = 100;

    /// <summary>The AUTH mechanisms System.Net.Mail.SmtpClient implements.</summary>
    private static readonly string[] ClientMechanisms = ["LOGIN", "NTLM", "GSSAPI"];

    public static async Task<string> RunAsync(string host, int port, bool startTls, TlsTrust trust, NetworkCredential? credentials, CancellationToken cancel)
    {
        using var tcp = new TcpClient();
        try
        {
            await tcp.ConnectAsync(host, port, cancel).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            throw new SmtpProbeException($"cannot connect to {host}:{port}: {ex.Message}", ex);
        }

        await using var ssl = startTls ? new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, trust.Validate) : null;
        Stream stream = tcp.GetStream();
        var greeting = await ReadReplyAsync(stream, cancel).ConfigureAwait(false);
        Expect(greeting, 220, "greeting");
        var hello = "EHLO " + AddressLiteral(tcp.Client.LocalEndPoint);
        var extensions = await CommandAsync(stream, hello, 250, cancel).ConfigureAwait(false);
        var tls = "";
        if (ssl is not null)
        {
            if (!Offers(extensions, "STARTTLS"))
            {
                throw new SmtpProbeException("the server does not offer STARTTLS (encryption is 'starttls')");
            }

            await CommandAsync(stream, "STARTTLS", 220, cancel).ConfigureAwait(false);
            try
            {
                await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = host }, cancel).ConfigureAwait(false);
            }
            catch (System.Security.Authentication.AuthenticationException ex)
            {
                throw new SmtpProbeException($"STARTTLS: {ex.Message}", ex);
            }

            stream = ssl;
            tls = $", STARTTLS {ssl.SslProtocol}";

            // RFC 3207 §4.2: the client must forget what it learnt before TLS and say EHLO again.
            extensions = await CommandAsync(stream, hello, 250, cancel).ConfigureAwait(false);
        }

        var auth = credentials is null ? "" : await AuthenticateAsync(stream, extensions, credentials, cancel).ConfigureAwait(false);

        // A polite end; a server that hangs up without 221 has still answered everything that matters.
        await WriteLineAsync(stream, "QUIT", cancel).ConfigureAwait(false);
        try
        {
            await ReadReplyAsync(stream, cancel).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SmtpProbeException)
        {
        }

        return $"SMTP {greeting[0].Code} {greeting[0].Text}{tls}{auth}";
    }

    /// <summary>
    /// Checks the credentials with AUTH LOGIN (RFC 4954 with the LOGIN exchange SmtpClient uses): SmtpClient itself
    /// goes on without authenticating when AUTH fails, so a wrong password would only show as mail sent anonymously.
    /// </summary>
    private static async Task<string> AuthenticateAsync(Stream stream, List<ReplyLine> extensions, NetworkCredential credentials, CancellationToken cancel)
    {
        var offered = extensions.Skip(1).Select(l => l.Text).FirstOrDefault(t => t.StartsWith("AUTH ", StringComparison.OrdinalIgnoreCase));
        var mechanisms = offered?[5..].Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        if (!mechanisms.Contains("LOGIN", StringComparer.OrdinalIgnoreCase))
        {
            var usable = mechanisms.FirstOrDefault(m => ClientMechanisms.Contains(m, StringComparer.OrdinalIgnoreCase));
            return usable is not null
                ? $", AUTH {usable.ToUpperInvariant()} offered (not checked)"
                : throw new SmtpProbeException(offered is null
                    ? "a username is set but the server offers no AUTH: mail would go out unauthenticated"
                    : $"the server offers {offered}, but the client can only use {string.Join(", ", ClientMechanisms)}: mail would go out unauthenticated");
        }

        await CommandAsync(stream, "AUTH LOGIN", 334, cancel).ConfigureAwait(false);
        await CommandAsync(stream, Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials.UserName)), 334, cancel, "AUTH LOGIN (username)").ConfigureAwait(false);
        await CommandAsync(stream, Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials.Password)), 235, cancel, "AUTH LOGIN (password)").ConfigureAwait(false);
        return $", AUTH LOGIN as {credentials.UserName} accepted";
    }

    /// <summary>Sends one command and checks the reply code; <paramref name="step"/> names it in errors (never the credentials).</summary>
    private static async Task<List<ReplyLine>> CommandAsync(Stream stream, string command, int expected, CancellationToken cancel, string? step = null)
    {
        await WriteLineAsync(stream, command, cancel).ConfigureAwait(false);
        var reply = await ReadReplyAsync(stream, cancel).ConfigureAwait(false);
        Expect(reply, expected, step ?? command);
        return reply;
    }

    private static void Expect(List<ReplyLine> reply, int code, string step)
    {
        if (reply[0].Code != code)
        {
            throw new SmtpProbeException($"{step}: expected {code}, the server answered {reply[0].Code} {reply[0].Text}");
        }
    }

    private static bool Offers(List<ReplyLine> extensions, string keyword) =>
        extensions.Skip(1).Any(l => l.Text.Equals(keyword, StringComparison.OrdinalIgnoreCase) ||
            l.Text.StartsWith(keyword + " ", StringComparison.OrdinalIgnoreCase));

    private static async Task WriteLineAsync(Stream stream, string line, CancellationToken cancel)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes(line + "\r\n"), cancel).ConfigureAwait(false);
        await stream.FlushAsync(cancel).ConfigureAwait(false);
    }

    /// <summary>One reply: lines "250-…" continue, "250 …" ends it (RFC 5321 §4.2.1).</summary>
    private static async Task<List<ReplyLine>> ReadReplyAsync(Stream stream, CancellationToken cancel)
    {
        var lines = new List<ReplyLine>();
        while (lines.Count < MaxReplyLines)
        {
            var line = await ReadLineAsync(stream, cancel).ConfigureAwait(false);
            if (line.Length < 3 || !int.TryParse(line.AsSpan(0, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var code) ||
                (line.Length > 3 && line[3] is not (' ' or '-')))
            {
                throw new SmtpProbeException($"not an SMTP reply: '{Printable(line)}'");
            }

            lines.Add(new ReplyLine(code, line.Length > 4 ? line[4..] : ""));
            if (line.Length == 3 || line[3] == ' ')
            {
                return lines;
            }
        }

        throw new SmtpProbeException($"a reply of more than {MaxReplyLines} lines");
    }

    private static async Task<string> ReadLineAsync(Stream stream, CancellationToken cancel)
    {
        // Byte by byte: a buffered reader could swallow bytes that belong to the TLS handshake after STARTTLS.
        var bytes = new List<byte>(128);
        var one = new byte[1];
        while (true)
        {
            if (await stream.ReadAsync(one, cancel).ConfigureAwait(false) == 0)
            {
                throw new IOException("the server closed the connection");
            }

            if (one[0] == (byte)'\n')
            {
                var length = bytes.Count > 0 && bytes[^1] == (byte)'\r' ? bytes.Count - 1 : bytes.Count;
                return Encoding.UTF8.GetString([.. bytes], 0, length);
            }

            if (bytes.Count >= MaxLineLength)
            {
                throw new SmtpProbeException($"a reply line longer than {MaxLineLength} bytes");
            }

            bytes.Add(one[0]);
        }
    }

    /// <summary>The EHLO argument: the address literal of our end of the connection (RFC 5321 §4.1.3).</summary>
    private static string AddressLiteral(EndPoint? local) => local switch
    {
        IPEndPoint { Address.IsIPv4MappedToIPv6: true } ip => $"[{ip.Address.MapToIPv4()}]",
        IPEndPoint { AddressFamily: AddressFamily.InterNetworkV6 } ip => $"[IPv6:{new IPAddress(ip.Address.GetAddressBytes())}]",
        IPEndPoint ip => $"[{ip.Address}]",
        _ => "[127.0.0.1]",
    };

    private static string Printable(string line)
    {
        var shown = new string([.. line.Take(80).Select(c => char.IsControl(c) ? '?' : c)]);
        return line.Length > 80 ? shown + "…" : shown;
    }

    private readonly record struct ReplyLine(int Code, string Text);
}
