namespace Edge.Sdk;

/// <summary>Where a handler's log lines go; the host implements it per endpoint.</summary>
internal interface IHandlerLogSink
{
    void Write(HandlerLogLevel level, string message, string requestId);
}
