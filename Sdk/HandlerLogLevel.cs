namespace Edge.Sdk;

/// <summary>Severity of a line a handler writes through <see cref="Context"/>.</summary>
internal enum HandlerLogLevel
{
    Info,
    Warning,
    Error,
}
