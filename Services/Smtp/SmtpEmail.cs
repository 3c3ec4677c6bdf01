using System.Net.Mail;
using Edge.Sdk;

namespace Edge.Services.Smtp;

/// <summary>
/// The <see cref="IEmail"/> a handler gets from <c>ctx.Email(name)</c>. Addresses, subject and names are checked
/// here (400 naming what is wrong) before anything goes to the server; a line break in a subject or a display
/// name is refused outright, so a handler that passes user input cannot add headers.
/// </summary>
internal sealed class SmtpEmail(SmtpService service, CancellationToken aborted) : IEmail
{
    public Task SendAsync(string to, string subject, string text) =>
        service.SendAsync(Message(service.From, to, subject, text, html: false), aborted);

    public Task SendHtmlAsync(string to, string subject, string html) =>
        service.SendAsync(Message(service.From, to, subject, html, html: true), aborted);

    public Task SendFromAsync(string from, string fromName, string to, string subject, string body)
    {
        if (string.IsNullOrWhiteSpace(from))
        {
            throw HandlerError.BadRequest("from address is empty");
        }

        if (fromName is not null && HasLineBreak(fromName))
        {
            throw HandlerError.BadRequest("sender name must not contain line breaks (CR or LF)");
        }

        MailAddress sender;
        try
        {
            sender = new MailAddress(from.Trim(), string.IsNullOrEmpty(fromName) ? null : fromName);
        }
        catch (FormatException)
        {
            throw HandlerError.BadRequest($"from address '{Shown(from)}' is not an e-mail address");
        }

        return service.SendAsync(Message(sender, to, subject, body, html: false), aborted);
    }

    public static bool HasLineBreak(string value) => value.AsSpan().IndexOfAny('\r', '\n') >= 0;

    private static MailMessage Message(MailAddress from, string to, string subject, string body, bool html)
    {
        subject ??= "";
        if (HasLineBreak(subject))
        {
            throw HandlerError.BadRequest("subject must not contain line breaks (CR or LF)");
        }

        var recipients = Recipients(to);
        var message = new MailMessage { From = from, Subject = subject, Body = body ?? "", IsBodyHtml = html };
        foreach (var recipient in recipients)
        {
            message.To.Add(recipient);
        }

        return message;
    }

    /// <summary>The addresses in <paramref name="to"/> (comma-separated, display names allowed), or a 400 naming the first bad one.</summary>
    private static MailAddressCollection Recipients(string to)
    {
        if (string.IsNullOrWhiteSpace(to))
        {
            throw HandlerError.BadRequest("no recipient: 'to' is empty");
        }

        var recipients = new MailAddressCollection();
        try
        {
            recipients.Add(to);
        }
        catch (FormatException)
        {
            // The collection does not say which one failed: find it (a quoted name holding a comma may hide it).
            var bad = to.Split(',').Select(p => p.Trim()).FirstOrDefault(p => !MailAddress.TryCreate(p, out _)) ?? to;
            throw HandlerError.BadRequest($"recipient '{Shown(bad)}' is not an e-mail address");
        }

        foreach (var recipient in recipients)
        {
            if (HasLineBreak(recipient.DisplayName))
            {
                throw HandlerError.BadRequest($"recipient '{recipient.Address}' has a line break in its name");
            }
        }

        return recipients.Count > 0 ? recipients : throw HandlerError.BadRequest("no recipient: 'to' is empty");
    }

    /// <summary>A bad address as it can be shown in an error (line breaks made visible, length bounded).</summary>
    private static string Shown(string value)
    {
        var shown = value.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
        return shown.Length > 200 ? shown[..200] + "…" : shown;
    }
}
