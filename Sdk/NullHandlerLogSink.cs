namespace Edge.Sdk;

/// <summary>A sink that drops every line: used by the public <see cref="Context()"/> for unit tests.</summary>
internal sealed class NullHandlerLogSink : IHandlerLogSink
{
    public static readonly NullHandlerLogSink Instance = new();

    private NullHandlerLogSink()
    {
    }

    public void Write(HandlerLogLevel level, string message, string requestId)
    {
    }
}
