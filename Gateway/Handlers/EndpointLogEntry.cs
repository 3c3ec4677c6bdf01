namespace Edge.Gateway.Handlers;

internal sealed record EndpointLogEntry(DateTimeOffset Time, string Level, string Message, string? RequestId);
