using System.Net;
using BenchmarkDotNet.Attributes;
using Edge.Gateway.Policies;
using Microsoft.AspNetCore.Http;

namespace Edge.Bench;

/// <summary>
/// What an endpoint's rate limit adds to an admitted request: <see cref="EndpointPolicies.AdmitAsync"/> for a client IP
/// that already has a bucket (the token taken; by default no header on an admitted request), the same with
/// <c>headers: "always"</c> (the three <c>RateLimit-*</c> headers set), and the default with a CORS policy answering an
/// allowed origin. The baseline is setting the three headers alone. The limiter runs on a
/// <see cref="FastClock"/> so every call is admitted; cleanup fails the run if one was not.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class PolicyBenchmarks
{
    private readonly DefaultHttpContext _http = new();
    private EndpointPolicies _rateLimit = null!;
    private EndpointPolicies _rateLimitWithHeaders = null!;
    private EndpointPolicies _rateLimitAndCors = null!;
    private long _refused;

    [GlobalSetup]
    public void Setup()
    {
        const string ByIp = """{"permits":1000000,"window_seconds":1,"key":"ip"}""";
        _rateLimit = BenchPolicies.Build(ByIp);
        _rateLimitWithHeaders = BenchPolicies.Build("""{"permits":1000000,"window_seconds":1,"key":"ip","headers":"always"}""");
        _rateLimitAndCors = BenchPolicies.Build(ByIp, """{"origins":["https://app.example"]}""");
        _http.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113.7");
        _http.Request.Headers.Origin = "https://app.example";
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_refused > 0)
        {
            throw new InvalidOperationException($"{_refused} calls were refused: the benchmark measured the 429 path");
        }
    }

    [Benchmark(Baseline = true)]
    public void HeadersOnly()
    {
        var headers = _http.Response.Headers;
        headers["RateLimit-Limit"] = "1000000";
        headers["RateLimit-Remaining"] = "999999";
        headers["RateLimit-Reset"] = "1";
    }

    [Benchmark]
    public bool RateLimit() => Count(_rateLimit.AdmitAsync(_http, "id").Result.Admitted);

    [Benchmark]
    public bool RateLimitWithHeaders() => Count(_rateLimitWithHeaders.AdmitAsync(_http, "id").Result.Admitted);

    [Benchmark]
    public bool RateLimitAndCors()
    {
        // As the gateway does: the CORS headers of an actual request first, then the admission.
        _rateLimitAndCors.Cors!.ApplyToActual(_http);
        return Count(_rateLimitAndCors.AdmitAsync(_http, "id").Result.Admitted);
    }

    private bool Count(bool admitted)
    {
        if (!admitted)
        {
            _refused++;
        }

        return admitted;
    }
}
