using Edge.Gateway.Config;
using Edge.Gateway.Policies;

namespace Edge.Bench;

/// <summary>The traffic policies of a GET /hello endpoint, as the gateway builds them, on a <see cref="FastClock"/>.</summary>
internal static class BenchPolicies
{
    public static EndpointPolicies Build(string rateLimit, string? cors = null) => EndpointPolicies.Build(new EndpointRecord
    {
        Id = "e1",
        Name = "bench",
        Path = "/hello",
        Method = "GET",
        Domain = "*",
        CreatedAt = "",
        UpdatedAt = "",
        RateLimit = rateLimit,
        Cors = cors,
    }, null, new FastClock())!;
}
