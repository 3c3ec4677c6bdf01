namespace Edge.Gateway.Handlers;

/// <summary>One log line; <see cref="Seq"/> numbers the endpoint's lines from 1, so a reader can ask for what came after.</summary>
internal sealed record EndpointLogEntry(DateTimeOffset Time, string Level, string Message, string? RequestId, long Seq = 0);
