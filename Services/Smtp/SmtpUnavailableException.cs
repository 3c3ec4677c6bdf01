namespace Edge.Services.Smtp;

/// <summary>
/// The SMTP server could not be reached or used (refused, lost, 421, TLS rejected): a 503. It carries no inner
/// exception on purpose: its message already says what the cause said, and the 503 text is built from both.
/// </summary>
internal sealed class SmtpUnavailableException(string message) : Exception(message);
