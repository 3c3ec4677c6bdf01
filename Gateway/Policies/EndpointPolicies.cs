using System.Net;
using System.Security.Cryptography;
using System.Text;
using Edge.Gateway.Config;

namespace Edge.Gateway.Policies;

/// <summary>
/// An endpoint's traffic policies (rate limit, concurrency limit, CORS) as the request path uses them. Built when the
/// endpoint's settings change and reused across route rebuilds: the buckets and slots live as long as the settings.
/// </summary>
internal sealed class EndpointPolicies
{
    private const int MaxRawKeyLength = 128;

    private EndpointPolicies(TokenBucketLimiter? rateLimiter, ConcurrencyLimiter? concurrency, CorsPolicy? cors)
    {
        RateLimiter = rateLimiter;
        Concurrency = concurrency;
        Cors = cors;
    }

    public TokenBucketLimiter? RateLimiter { get; }
    public ConcurrencyLimiter? Concurrency { get; }
    public CorsPolicy? Cors { get; }

    /// <summary>
    /// The policies of <paramref name="e"/>, null when it has none. Parts whose settings did not change are taken over
    /// from <paramref name="previous"/>, so an unrelated edit keeps the buckets and the slots in use.
    /// </summary>
    public static EndpointPolicies? Build(EndpointRecord e, EndpointPolicies? previous, TimeProvider time)
    {
        var rateSettings = e.RateLimit is null ? null : RateLimitSettings.FromJson(e.RateLimit);
        var rate = rateSettings is null ? null
            : previous?.RateLimiter is { } oldRate && oldRate.Settings == rateSettings ? oldRate
            : new TokenBucketLimiter(rateSettings, time);

        ConcurrencyLimiter? concurrency = null;
        if (e.MaxConcurrency is { } max)
        {
            var queue = e.QueueLimit ?? max;
            var wait = e.QueueTimeoutMs ?? ConcurrencyLimiter.DefaultQueueTimeoutMs;
            concurrency = previous?.Concurrency is { } old && old.MaxConcurrency == max && old.QueueLimit == queue && old.QueueTimeoutMs == wait
                ? old
                : new ConcurrencyLimiter(max, queue, wait);
        }

        var corsSettings = e.Cors is null ? null : CorsSettings.FromJson(e.Cors);
        var cors = corsSettings is null ? null
            : previous?.Cors is { } oldCors && oldCors.Settings.ToJson() == corsSettings.ToJson() && oldCors.EndpointMethod == e.Method ? oldCors
            : new CorsPolicy(corsSettings, e.Method);

        return rate is null && concurrency is null && cors is null ? null : new EndpointPolicies(rate, concurrency, cors);
    }

    /// <summary>
    /// Runs the checks after CORS headers and the endpoint's auth, before the body is read and the handler runs: the
    /// rate limit (429) and the concurrency limit (503 when its queue is full or the wait times out).
    /// </summary>
    public ValueTask<PolicyAdmission> AdmitAsync(HttpContext http, string requestId, string? verifiedKeyId = null)
    {
        if (RateLimiter is { } limiter)
        {
            var decision = limiter.Settings.Key switch
            {
                "ip" => AcquireByIp(limiter, http.Connection.RemoteIpAddress),
                "api_key" when verifiedKeyId is { Length: <= 64 } => AcquireByKey(limiter, verifiedKeyId),
                _ => limiter.TryAcquire(KeyOf(http, limiter.Settings, verifiedKeyId)),
            };
            if (!decision.Allowed)
            {
                SetHeaders(http, limiter, decision);
                return RateLimitedAsync(http, limiter.Settings, decision, requestId);
            }

            // PERF: three more response headers cost about as much as the key check and the bucket together, so
            // admitted requests carry them only when the endpoint asks (headers: "always").
            if (limiter.HeadersAlways)
            {
                SetHeaders(http, limiter, decision);
            }
        }

        if (Concurrency is not { } concurrency)
        {
            return ValueTask.FromResult(PolicyAdmission.Open);
        }

        var pending = concurrency.AcquireAsync(http.RequestAborted);
        return pending.IsCompletedSuccessfully && pending.Result == ConcurrencyOutcome.Acquired
            ? ValueTask.FromResult(new PolicyAdmission(true, concurrency))
            : QueuedAsync(http, concurrency, pending, requestId);
    }

    private static void SetHeaders(HttpContext http, TokenBucketLimiter limiter, RateLimitDecision decision)
    {
        var headers = http.Response.Headers;
        headers["RateLimit-Limit"] = limiter.LimitHeader;
        headers["RateLimit-Remaining"] = HeaderNumbers.Format(decision.Remaining);
        headers["RateLimit-Reset"] = HeaderNumbers.Format(decision.ResetSeconds);
    }

    /// <summary>
    /// The bucket key of a request: the id of the API key the endpoint's <c>auth</c> verified, a header's value, or
    /// the client IP (also when the key or header is missing: an unverified key is not trusted to pick a bucket).
    /// </summary>
    public static string KeyOf(HttpContext http, RateLimitSettings settings, string? verifiedKeyId)
    {
        if (settings.Key == "api_key")
        {
            if (verifiedKeyId is not null)
            {
                return "k:" + verifiedKeyId;
            }
        }
        else if (settings.HeaderName is { } name && http.Request.Headers[name].ToString() is { Length: > 0 } value)
        {
            return "h:" + (value.Length > MaxRawKeyLength ? Hash(value) : value);
        }

        return IpOf(http.Connection.RemoteIpAddress);
    }

    /// <summary>PERF: the common key, formatted on the stack: a known client costs no allocation.</summary>
    private static RateLimitDecision AcquireByIp(TokenBucketLimiter limiter, IPAddress? address)
    {
        Span<char> text = stackalloc char[64];
        return address is { IsIPv4MappedToIPv6: false } && address.TryFormat(text, out var written)
            ? limiter.TryAcquire(text[..written])
            : limiter.TryAcquire(IpOf(address));
    }

    /// <summary>PERF: the verified key's bucket key ("k:" + its id) on the stack, as <see cref="KeyOf"/> spells it.</summary>
    private static RateLimitDecision AcquireByKey(TokenBucketLimiter limiter, string keyId)
    {
        Span<char> text = stackalloc char[66];
        "k:".CopyTo(text);
        keyId.CopyTo(text[2..]);
        return limiter.TryAcquire(text[..(keyId.Length + 2)]);
    }

    private static string IpOf(IPAddress? address) => address switch
    {
        null => "unknown",
        { IsIPv4MappedToIPv6: true } => address.MapToIPv4().ToString(),
        _ => address.ToString(),
    };

    private static string Hash(string value) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    private static async ValueTask<PolicyAdmission> RateLimitedAsync(HttpContext http, RateLimitSettings settings, RateLimitDecision decision, string requestId)
    {
        var retry = Math.Max(1, decision.RetryAfterSeconds);
        http.Response.Headers.RetryAfter = HeaderNumbers.Format(retry);
        var per = settings.Key switch
        {
            "ip" => "client IP",
            "api_key" => "API key",
            _ => $"'{settings.HeaderName}' header",
        };
        await ResponseWriter.WriteErrorAsync(http, StatusCodes.Status429TooManyRequests,
            $"rate limit exceeded: {settings.Permits} requests per {settings.WindowSeconds} s per {per}; retry in {retry} s", requestId);
        return PolicyAdmission.Refused;
    }

    private static async ValueTask<PolicyAdmission> QueuedAsync(HttpContext http, ConcurrencyLimiter concurrency, ValueTask<ConcurrencyOutcome> pending, string requestId)
    {
        var outcome = await pending;
        if (outcome == ConcurrencyOutcome.Acquired)
        {
            return new PolicyAdmission(true, concurrency);
        }

        if (outcome == ConcurrencyOutcome.ClientGone)
        {
            return PolicyAdmission.Refused;
        }

        http.Response.Headers.RetryAfter = "1";
        var message = outcome == ConcurrencyOutcome.QueueFull
            ? $"the endpoint is at its limit of {concurrency.MaxConcurrency} concurrent requests and its queue of {concurrency.QueueLimit} is full; retry shortly"
            : $"the endpoint is at its limit of {concurrency.MaxConcurrency} concurrent requests and no slot freed within its queue timeout of {concurrency.QueueTimeoutMs} ms; retry shortly";
        await ResponseWriter.WriteErrorAsync(http, StatusCodes.Status503ServiceUnavailable, message, requestId);
        return PolicyAdmission.Refused;
    }
}
