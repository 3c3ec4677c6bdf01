using System.Text.Json.Nodes;

namespace Edge.Services;

/// <summary>The bounds every service call runs under, from the config's <c>max_in_flight</c>, <c>max_queue</c> and <c>call_timeout_ms</c>.</summary>
internal sealed record ServiceLimits(int MaxInFlight, int MaxQueue, int CallTimeoutMs)
{
    public const int DefaultMaxInFlight = 16;
    public const int DefaultMaxQueue = 256;
    public const int DefaultCallTimeoutMs = 10_000;

    /// <summary>Reads the limits; <c>max_in_flight</c> defaults to <c>pool_size</c> when that is set.</summary>
    public static ServiceLimits From(JsonObject config) => new(
        ServiceConfig.Int(config, "max_in_flight") ?? ServiceConfig.Int(config, "pool_size") ?? DefaultMaxInFlight,
        ServiceConfig.Int(config, "max_queue") ?? DefaultMaxQueue,
        ServiceConfig.Int(config, "call_timeout_ms") ?? DefaultCallTimeoutMs);
}
