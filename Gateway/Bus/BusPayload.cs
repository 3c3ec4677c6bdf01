namespace Edge.Gateway.Bus;

/// <summary>A bus call's request body, already bytes (so no handler object reaches the host) and its content type.</summary>
internal readonly record struct BusPayload(byte[] Bytes, string ContentType);
