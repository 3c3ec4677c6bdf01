using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Gateway.Config;

namespace Edge.Gateway.Policies;

/// <summary>
/// The traffic-policy fields of an endpoint as sent to the admin API or written in an imported spec's <c>x-edge</c>:
/// each checked (every problem reported), given fields replace, absent ones stay, <c>null</c> clears.
/// </summary>
internal sealed class PolicyPatch
{
    public const long MaxConcurrencyLimit = 100_000;
    public const long MaxQueueLimit = 100_000;
    public const long MaxQueueTimeoutMs = 600_000;

    public static readonly string[] Fields = ["rate_limit", "max_concurrency", "queue_limit", "queue_timeout_ms", "cors"];

    private readonly Func<string, bool> _has;
    private string? _rateLimit;
    private int? _maxConcurrency;
    private int? _queueLimit;
    private int? _queueTimeoutMs;
    private string? _cors;

    private PolicyPatch(Func<string, bool> has) => _has = has;

    /// <summary>Whether any policy field was given.</summary>
    public bool Touched => Fields.Any(_has);

    /// <summary>Reads the fields through <paramref name="has"/>/<paramref name="raw"/>; problems go to <paramref name="error"/>(field, problem).</summary>
    public static PolicyPatch Read(Func<string, bool> has, Func<string, JsonNode?> raw, Action<string, string> error)
    {
        var patch = new PolicyPatch(has);
        if (has("rate_limit"))
        {
            var (settings, problem) = RateLimitSettings.Parse(raw("rate_limit"));
            if (problem is not null)
            {
                error("rate_limit", problem);
            }

            patch._rateLimit = settings?.ToJson();
        }

        if (has("cors"))
        {
            var (settings, problem) = CorsSettings.Parse(raw("cors"));
            if (problem is not null)
            {
                error("cors", problem);
            }

            patch._cors = settings?.ToJson();
        }

        patch._maxConcurrency = Integer("max_concurrency", 1, MaxConcurrencyLimit);
        patch._queueLimit = Integer("queue_limit", 0, MaxQueueLimit);
        patch._queueTimeoutMs = Integer("queue_timeout_ms", 1, MaxQueueTimeoutMs);
        return patch;

        int? Integer(string field, long min, long max)
        {
            if (!has(field) || raw(field) is not { } node)
            {
                return null;
            }

            if (node.GetValueKind() == JsonValueKind.Number && node.AsValue().TryGetValue<long>(out var value) && value >= min && value <= max)
            {
                return (int)value;
            }

            error(field, $"must be an integer between {min} and {max} (or null to clear), got {node.ToJsonString()}");
            return null;
        }
    }

    public EndpointRecord Apply(EndpointRecord e) => e with
    {
        RateLimit = _has("rate_limit") ? _rateLimit : e.RateLimit,
        MaxConcurrency = _has("max_concurrency") ? _maxConcurrency : e.MaxConcurrency,
        QueueLimit = _has("queue_limit") ? _queueLimit : e.QueueLimit,
        QueueTimeoutMs = _has("queue_timeout_ms") ? _queueTimeoutMs : e.QueueTimeoutMs,
        Cors = _has("cors") ? _cors : e.Cors,
    };

    /// <summary>Checks the fields that only make sense together, on the endpoint as it would be stored.</summary>
    public static void CheckMerged(EndpointRecord merged, Action<string, string> error)
    {
        if (merged.MaxConcurrency is null)
        {
            if (merged.QueueLimit is not null)
            {
                error("queue_limit", "needs max_concurrency (the queue holds requests waiting for one of its slots)");
            }

            if (merged.QueueTimeoutMs is not null)
            {
                error("queue_timeout_ms", "needs max_concurrency (the queue holds requests waiting for one of its slots)");
            }
        }
    }
}
