namespace Edge.Sdk;

/// <summary>
/// Mail through an <c>email</c> service (SMTP with encryption <c>none</c> or <c>starttls</c>, optional AUTH),
/// from <see cref="Context.Email"/>. Messages go out from the service's <c>from_address</c> unless
/// <see cref="SendFromAsync"/> names another sender. Failures throw <see cref="HandlerError"/>: 400 for an
/// address that is not one, 503 when the server cannot be reached, is saturated or is not active, 504 on a call
/// timeout, 500 for a refusal the server reported.
/// </summary>
public interface IEmail
{
    /// <summary>Sends a plain-text message to <paramref name="to"/> (one address, or several separated by commas).</summary>
    Task SendAsync(string to, string subject, string text);

    /// <summary>Sends an HTML message to <paramref name="to"/>.</summary>
    Task SendHtmlAsync(string to, string subject, string html);

    /// <summary>Sends a plain-text message from <paramref name="from"/> shown as <paramref name="fromName"/>.</summary>
    Task SendFromAsync(string from, string fromName, string to, string subject, string body);
}
