namespace Edge.Services.Smtp;

/// <summary>The SMTP server answered the probe in a way that means mail cannot be sent as configured.</summary>
internal sealed class SmtpProbeException(string message, Exception? inner = null) : Exception(message, inner);
