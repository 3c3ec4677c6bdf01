using System.Net;
using System.Net.Mail;
using System.Net.Sockets;
using System.Security.Authentication;
using Edge.Sdk;

namespace Edge.Services.Smtp;

/// <summary>
/// An <c>email</c> service: System.Net.Mail.SmtpClient with encryption <c>none</c> or <c>starttls</c> and AUTH when a
/// username is set. One SmtpClient per message (it cannot send two at once and holds no pool worth keeping), so
/// concurrency is what the gate admits. SmtpClient takes its certificate check only from ServicePointManager, so
/// the service's trust is registered there for its host before each send. Implicit TLS (port 465) is impossible
/// with SmtpClient; <see cref="ServiceSchemas"/> refuses it.
/// </summary>
internal sealed class SmtpService : ServiceInstance
{
    private readonly string _host;
    private readonly int _port;
    private readonly bool _startTls;
    private readonly NetworkCredential? _credentials;
    private readonly string? _password;
    private readonly TlsTrust _trust;

    public SmtpService(ServiceDefinition definition, ILogger logger)
        : base(definition, logger)
    {
        _host = ServiceConfig.RequiredString(Config, "host");
        _startTls = ServiceConfig.String(Config, "encryption") == "starttls";
        _port = ServiceConfig.Int(Config, "port") ?? (_startTls ? 587 : 25);
        _trust = TlsTrust.From(Config);
        var username = ServiceConfig.String(Config, "username");
        _password = ServiceConfig.String(Config, "password");
        _credentials = username is null ? null : new NetworkCredential(username, _password ?? "");

        var fromName = ServiceConfig.String(Config, "from_name");
        if (fromName is not null && SmtpEmail.HasLineBreak(fromName))
        {
            throw new InvalidOperationException("config.from_name: must not contain line breaks");
        }

        var fromAddress = ServiceConfig.RequiredString(Config, "from_address");
        try
        {
            From = new MailAddress(fromAddress, fromName);
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"config.from_address: '{fromAddress}' is not an e-mail address");
        }
    }

    /// <summary>The sender when a handler names none: <c>from_address</c> shown as <c>from_name</c>.</summary>
    public MailAddress From { get; }

    public override T? CreateHandle<T>(Context context)
        where T : class =>
        typeof(T) == typeof(IEmail) ? (T)(object)new SmtpEmail(this, context.RequestAborted) : null;

    public override Task<string> ProbeAsync(CancellationToken cancel) =>
        SmtpProbe.RunAsync(_host, _port, _startTls, _trust, _credentials, cancel);

    /// <summary>Sends <paramref name="message"/> (already validated) under the service's bounds; disposes it once sent.</summary>
    public Task SendAsync(MailMessage message, CancellationToken aborted) =>
        RunAsync(async cancel =>
        {
            using (message)
            {
                if (_startTls)
                {
                    // Registered per send, not at construction: building a service (even one never activated)
                    // must not change the trust that other clients of this host use.
                    _trust.RegisterForServicePoint(_host);
                }

                using var client = new SmtpClient(_host, _port)
                {
                    DeliveryMethod = SmtpDeliveryMethod.Network,
                    EnableSsl = _startTls,
                    UseDefaultCredentials = false,
                    Credentials = _credentials,

                    // The call deadline cancels the send (504); this is only a backstop behind it.
                    Timeout = Limits.CallTimeoutMs + 1_000,
                };
                try
                {
                    await client.SendMailAsync(message, cancel).ConfigureAwait(false);
                }
                catch (SmtpException ex) when (IsUnavailable(ex))
                {
                    throw Unavailable(ex);
                }
            }
        }, aborted);

    public override ValueTask DisposeAsync()
    {
        _trust.UnregisterForServicePoint(_host);
        return ValueTask.CompletedTask;
    }

    protected override bool IsUnavailable(Exception error)
    {
        if (error is SmtpUnavailableException or SmtpException { StatusCode: SmtpStatusCode.ServiceNotAvailable } or SocketException or IOException or AuthenticationException)
        {
            return true;
        }

        // SmtpClient wraps a refused or broken connection (and a rejected certificate) as "Failure sending mail."
        for (var inner = error.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException or IOException or AuthenticationException)
            {
                return true;
            }
        }

        return false;
    }

    protected override HandlerError Failed(Exception error)
    {
        // SmtpException carries the server's reply ("Mailbox unavailable. The server response was: 5.1.1 …").
        var message = error.InnerException is { } inner && !error.Message.Contains(inner.Message, StringComparison.Ordinal)
            ? $"{error.Message} ({inner.Message})"
            : error.Message;
        return new HandlerError(500, $"service '{Name}': {Scrub(message)}", error);
    }

    /// <summary>"Failure sending mail." says little: name the server and what went wrong underneath.</summary>
    private SmtpUnavailableException Unavailable(SmtpException error)
    {
        var cause = error.InnerException;
        while (cause?.InnerException is not null && cause is not (SocketException or AuthenticationException))
        {
            cause = cause.InnerException;
        }

        var why = error.StatusCode == SmtpStatusCode.ServiceNotAvailable || cause is null ? error.Message : cause.Message;
        return new SmtpUnavailableException($"SMTP server {_host}:{_port}: {Scrub(why)}");
    }

    /// <summary>Defence in depth: no message that leaves the connector carries the password.</summary>
    private string Scrub(string message) =>
        string.IsNullOrEmpty(_password) ? message : message.Replace(_password, ServiceSchemas.Redacted, StringComparison.Ordinal);
}
