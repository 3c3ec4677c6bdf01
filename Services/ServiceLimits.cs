using System.Text.Json.Nodes;

namespace Edge.Services;

/// <summary>The bounds every service call runs under, from the config's <c>max_in_flight</c>, <c>max_queue</c> and <c>call_timeout_ms</c>.</summary>
internal sealed record ServiceLimits(int MaxInFlight, int MaxQueue, int CallTimeoutMs)
{
    public const int DefaultMaxInFlight = 16;

    /// <summary>
    /// Redis runs every command over one pipelined connection: many commands in flight cost the server nothing
    /// more, and a low bound would only queue requests in edge that Redis could answer at once.
    /// </summary>
    public const int DefaultRedisMaxInFlight = 256;

    public const int DefaultMaxQueue = 256;
    public const int DefaultCallTimeoutMs = 10_000;

    /// <summary>Reads the limits; <c>max_in_flight</c> defaults to <c>pool_size</c> when that is set, else per type.</summary>
    public static ServiceLimits From(string type, JsonObject config) => new(
        ServiceConfig.Int(config, "max_in_flight") ?? ServiceConfig.Int(config, "pool_size") ??
            (type == "redis" ? DefaultRedisMaxInFlight : DefaultMaxInFlight),
        ServiceConfig.Int(config, "max_queue") ?? DefaultMaxQueue,
        ServiceConfig.Int(config, "call_timeout_ms") ?? DefaultCallTimeoutMs);
}
