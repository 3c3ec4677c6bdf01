using System.Net;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Policies;

/// <summary><c>rate_limit</c> on the real binary: counts under a burst, the headers, and how keys are chosen.</summary>
[Collection(PolicyCollection.Name)]
public sealed class RateLimitTests(PolicyGatewayFixture fixture)
{
    private readonly EdgeProcess _edge = fixture.Edge;

    [Fact]
    public async Task RateLimit_BurstOf15WithHeadersAlways_Exactly10ServedThen429WithHeaders()
    {
        // Arrange
        var (_, path) = await PolicyEndpoints.DeployAsync(_edge, PolicyEndpoints.Counter, new { rate_limit = new { permits = 10, window_seconds = 60, key = "ip", headers = "always" } });

        // Act
        var responses = await Task.WhenAll(Enumerable.Range(0, 15).Select(_ => _edge.Gateway.GetAsync(path)));

        // Assert
        var served = responses.Where(r => r.StatusCode == HttpStatusCode.OK).ToList();
        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        served.Count.ShouldBe(10);
        refused.Count.ShouldBe(5);
        served.Select(r => r.Header("ratelimit-remaining")).Order().ShouldBe(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
        foreach (var response in served)
        {
            response.Header("ratelimit-limit").ShouldBe("10");
            int.Parse(response.Header("ratelimit-reset")!, System.Globalization.CultureInfo.InvariantCulture).ShouldBeInRange(1, 60);
        }

        foreach (var response in refused)
        {
            var body = await response.ShouldBeGatewayErrorAsync(HttpStatusCode.TooManyRequests);
            body.Str("error").ShouldContain("10 requests per 60 s per client IP");
            response.Headers.RetryAfter!.Delta!.Value.TotalSeconds.ShouldBeInRange(1, 6);
            response.Header("ratelimit-limit").ShouldBe("10");
            response.Header("ratelimit-remaining").ShouldBe("0");
        }
    }

    [Fact]
    public async Task RateLimit_DefaultHeaders_OnlyThe429sCarryRateLimitHeaders()
    {
        // Arrange
        var (_, path) = await PolicyEndpoints.DeployAsync(_edge, PolicyEndpoints.Counter, new { rate_limit = new { permits = 2, window_seconds = 60 } });

        // Act
        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 3; i++)
        {
            responses.Add(await _edge.Gateway.GetAsync(path));
        }

        // Assert
        responses.Select(r => (int)r.StatusCode).ShouldBe([200, 200, 429]);
        foreach (var served in responses.Take(2))
        {
            served.Header("ratelimit-limit").ShouldBeNull();
            served.Header("ratelimit-remaining").ShouldBeNull();
            served.Header("ratelimit-reset").ShouldBeNull();
        }

        responses[2].Header("ratelimit-limit").ShouldBe("2");
        responses[2].Header("ratelimit-remaining").ShouldBe("0");
        int.Parse(responses[2].Header("ratelimit-reset")!, System.Globalization.CultureInfo.InvariantCulture).ShouldBeInRange(1, 60);
        responses[2].Headers.RetryAfter!.Delta!.Value.TotalSeconds.ShouldBeInRange(1, 30);
    }

    [Fact]
    public async Task RateLimit_TwoClientsBehindTheTrustedProxy_SeparateBuckets()
    {
        // Arrange
        var (_, path) = await PolicyEndpoints.DeployAsync(_edge, PolicyEndpoints.ClientIp, new { rate_limit = new { permits = 3, window_seconds = 60 } });

        // Act
        var first = await SendManyAsync(path, 4, r => r.Headers.Add("X-Forwarded-For", "203.0.113.1"));
        var second = await SendManyAsync(path, 4, r => r.Headers.Add("X-Forwarded-For", "203.0.113.2"));

        // Assert
        first.ShouldBe(["200 203.0.113.1", "200 203.0.113.1", "200 203.0.113.1", "429"]);
        second.ShouldBe(["200 203.0.113.2", "200 203.0.113.2", "200 203.0.113.2", "429"]);
    }

    [Fact]
    public async Task RateLimit_HeaderKey_OneBucketPerValue_MissingHeaderKeyedByIp()
    {
        // Arrange
        var (_, path) = await PolicyEndpoints.DeployAsync(_edge, PolicyEndpoints.ClientIp, new { rate_limit = new { permits = 2, window_seconds = 60, key = "header:X-Tenant" } });

        // Act
        var tenantA = await SendManyAsync(path, 3, r => r.Headers.Add("X-Tenant", "a"));
        var tenantB = await SendManyAsync(path, 1, r => r.Headers.Add("x-tenant", "b"));
        var none = await SendManyAsync(path, 3, _ => { });

        // Assert
        tenantA.Select(s => s[..3]).ShouldBe(["200", "200", "429"]);
        tenantB.Select(s => s[..3]).ShouldBe(["200"]);
        none.Select(s => s[..3]).ShouldBe(["200", "200", "429"]);
    }

    [Fact]
    public async Task RateLimit_ApiKeyKey_OneBucketPerVerifiedKeyWhicheverHeaderCarriesIt()
    {
        // Arrange
        var (id, path) = await PolicyEndpoints.DeployAsync(_edge, PolicyEndpoints.ClientIp, new
        {
            auth = "api_key",
            rate_limit = new { permits = 1, window_seconds = 60, key = "api_key" },
        });
        var one = (await _edge.Admin.PostApiAsync("/api/keys", new { name = Unique.Name("one"), scopes = new[] { "endpoint:" + id } })).ShouldSucceed().Data.Str("key");
        var two = (await _edge.Admin.PostApiAsync("/api/keys", new { name = Unique.Name("two"), scopes = new[] { "endpoint:" + id } })).ShouldSucceed().Data.Str("key");

        // Act
        var bearer = await SendManyAsync(path, 1, r => r.Headers.Add("Authorization", "Bearer " + one));
        var sameKey = await SendManyAsync(path, 1, r => r.Headers.Add("X-API-Key", one));
        var otherKey = await SendManyAsync(path, 1, r => r.Headers.Add("Authorization", "Bearer " + two));
        var madeUp = await SendManyAsync(path, 1, r => r.Headers.Add("X-API-Key", "not-a-key"));

        // Assert
        bearer.Select(s => s[..3]).ShouldBe(["200"]);
        sameKey.Select(s => s[..3]).ShouldBe(["429"]);
        otherKey.Select(s => s[..3]).ShouldBe(["200"]);
        madeUp.Select(s => s[..3]).ShouldBe(["401"]);
    }

    [Fact]
    public async Task RateLimit_Cleared_EndpointUnlimitedAgainWithoutHeaders()
    {
        // Arrange
        var (id, path) = await PolicyEndpoints.DeployAsync(_edge, PolicyEndpoints.ClientIp, new { rate_limit = new { permits = 1, window_seconds = 60, headers = "always" } });
        using var before = await _edge.Gateway.GetAsync(path);
        before.Header("ratelimit-limit").ShouldBe("1");
        (await SendManyAsync(path, 1, _ => { })).Select(s => s[..3]).ShouldBe(["429"]);

        // Act
        (await _edge.Admin.SendRawAsync(HttpMethod.Put, $"/api/endpoints/{id}", """{"rate_limit": null}""")).ShouldSucceed();
        using var after = await _edge.Gateway.GetAsync(path);

        // Assert
        after.StatusCode.ShouldBe(HttpStatusCode.OK);
        after.Header("ratelimit-limit").ShouldBeNull();
    }

    private async Task<List<string>> SendManyAsync(string path, int count, Action<HttpRequestMessage> configure)
    {
        var results = new List<string>();
        for (var i = 0; i < count; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            configure(request);
            using var response = await _edge.Gateway.SendAsync(request);
            results.Add(response.StatusCode == HttpStatusCode.OK ? "200 " + await response.Content.ReadAsStringAsync() : ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return results;
    }
}
