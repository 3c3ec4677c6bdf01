using System.Net;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Policies;

/// <summary><c>cors</c> on the real binary: preflights answered by the gateway, headers on actual requests.</summary>
[Collection(PolicyCollection.Name)]
public sealed class CorsTests(PolicyGatewayFixture fixture)
{
    private readonly EdgeProcess _edge = fixture.Edge;

    [Fact]
    public async Task Preflight_AllowedOriginMethodAndHeaders_204WithoutRunningTheHandler()
    {
        // Arrange: a POST endpoint and no OPTIONS route at all.
        var (_, path) = await PolicyEndpoints.DeployAsync(_edge, PolicyEndpoints.Counter, new
        {
            cors = new { origins = new[] { "https://app.example" }, methods = new[] { "GET", "POST" }, headers = new[] { "Content-Type", "X-Trace" }, max_age_seconds = 600 },
        }, method: "POST");

        // Act
        var preflights = new List<HttpResponseMessage>();
        for (var i = 0; i < 3; i++)
        {
            preflights.Add(await PreflightAsync(path, "https://app.example", "POST", "content-type, x-trace"));
        }

        using var actual = await SendAsync(HttpMethod.Post, path, "https://app.example");

        // Assert
        foreach (var response in preflights)
        {
            response.StatusCode.ShouldBe(HttpStatusCode.NoContent);
            response.Header("access-control-allow-origin").ShouldBe("https://app.example");
            response.Header("access-control-allow-methods").ShouldBe("GET, POST");
            response.Header("access-control-allow-headers").ShouldBe("content-type, x-trace");
            response.Header("access-control-max-age").ShouldBe("600");
            response.Header("access-control-allow-credentials").ShouldBeNull();
            response.Header("vary")!.ShouldContain("Origin");
            response.Dispose();
        }

        (await actual.Content.ReadAsStringAsync()).ShouldBe("1");
        actual.Header("access-control-allow-origin").ShouldBe("https://app.example");
        actual.Header("access-control-expose-headers").ShouldBe("x-request-id");
        actual.Header("vary").ShouldBe("Origin");
    }

    [Fact]
    public async Task Preflight_DisallowedOrigin_403NamingTheOrigin()
    {
        // Arrange
        var (_, path) = await PolicyEndpoints.DeployAsync(_edge, PolicyEndpoints.Counter, new { cors = new { origins = new[] { "https://app.example" } } });

        // Act
        using var response = await PreflightAsync(path, "https://evil.example", "GET");

        // Assert
        (await response.ShouldBeGatewayErrorAsync(HttpStatusCode.Forbidden)).Str("error").ShouldContain("origin 'https://evil.example' is not allowed");
        response.Header("access-control-allow-origin").ShouldBeNull();
    }

    [Fact]
    public async Task Preflight_DisallowedMethod_403NamingTheMethod()
    {
        // Arrange: PUT served, but only GET allowed cross-origin; DELETE has no route at all.
        var (_, path) = await PolicyEndpoints.DeployAsync(_edge, PolicyEndpoints.Counter, new { cors = new { origins = new[] { "https://app.example" }, methods = new[] { "GET" } } }, method: "PUT");

        // Act
        using var put = await PreflightAsync(path, "https://app.example", "PUT");
        using var delete = await PreflightAsync(path, "https://app.example", "DELETE");

        // Assert
        (await put.ShouldBeGatewayErrorAsync(HttpStatusCode.Forbidden)).Str("error").ShouldContain("method 'PUT' is not allowed");
        (await delete.ShouldBeGatewayErrorAsync(HttpStatusCode.Forbidden)).Str("error").ShouldContain("method 'DELETE' is not allowed");
    }

    [Fact]
    public async Task Preflight_DisallowedHeader_403NamingTheHeader()
    {
        // Arrange
        var (_, path) = await PolicyEndpoints.DeployAsync(_edge, PolicyEndpoints.Counter, new { cors = new { origins = new[] { "https://app.example" }, headers = new[] { "content-type" } } });

        // Act
        using var response = await PreflightAsync(path, "https://app.example", "GET", "content-type, x-secret");

        // Assert
        (await response.ShouldBeGatewayErrorAsync(HttpStatusCode.Forbidden)).Str("error").ShouldContain("x-secret not allowed");
    }

    [Fact]
    public async Task Credentials_AllowedOrigin_EchoedWithAllowCredentials()
    {
        // Arrange
        var (_, path) = await PolicyEndpoints.DeployAsync(_edge, PolicyEndpoints.Counter, new { cors = new { origins = new[] { "https://app.example", "https://admin.example" }, credentials = true } });

        // Act
        using var preflight = await PreflightAsync(path, "https://admin.example", "GET");
        using var actual = await SendAsync(HttpMethod.Get, path, "https://admin.example");

        // Assert
        preflight.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        preflight.Header("access-control-allow-origin").ShouldBe("https://admin.example");
        preflight.Header("access-control-allow-credentials").ShouldBe("true");
        preflight.Header("access-control-allow-methods").ShouldBe("GET");
        actual.Header("access-control-allow-origin").ShouldBe("https://admin.example");
        actual.Header("access-control-allow-credentials").ShouldBe("true");
    }

    [Fact]
    public async Task Wildcard_AnyOriginAndHeaders_StarAndEchoedHeaders()
    {
        // Arrange
        var (_, path) = await PolicyEndpoints.DeployAsync(_edge, PolicyEndpoints.Counter, new { cors = new { origins = new[] { "*" }, headers = new[] { "*" } } });

        // Act
        using var preflight = await PreflightAsync(path, "https://anyone.example", "GET", "X-One, X-Two");
        using var actual = await SendAsync(HttpMethod.Get, path, "https://anyone.example");

        // Assert
        preflight.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        preflight.Header("access-control-allow-origin").ShouldBe("*");
        preflight.Header("access-control-allow-headers").ShouldBe("x-one, x-two");
        actual.Header("access-control-allow-origin").ShouldBe("*");
        actual.Header("vary").ShouldBe("Origin");
    }

    [Fact]
    public async Task ActualRequest_DisallowedOrigin_ServedWithoutCorsHeaders()
    {
        // Arrange
        var (_, path) = await PolicyEndpoints.DeployAsync(_edge, PolicyEndpoints.Counter, new { cors = new { origins = new[] { "https://app.example" } } });

        // Act
        using var response = await SendAsync(HttpMethod.Get, path, "https://evil.example");

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.Any(h => h.Key.StartsWith("access-control-", StringComparison.OrdinalIgnoreCase)).ShouldBeFalse();
    }

    [Fact]
    public async Task ActualRequest_RefusedByAuthOrRateLimit_StillCarriesCorsHeaders()
    {
        // Arrange: a browser must be able to read why it was refused.
        var (_, path) = await PolicyEndpoints.DeployAsync(_edge, PolicyEndpoints.Counter, new
        {
            auth = "api_key",
            cors = new { origins = new[] { "https://app.example" } },
        });
        var (_, limitedPath) = await PolicyEndpoints.DeployAsync(_edge, PolicyEndpoints.Counter, new
        {
            rate_limit = new { permits = 1, window_seconds = 60 },
            cors = new { origins = new[] { "https://app.example" } },
        });

        // Act
        using var unauthenticated = await SendAsync(HttpMethod.Get, path, "https://app.example");
        using var first = await SendAsync(HttpMethod.Get, limitedPath, "https://app.example");
        using var limited = await SendAsync(HttpMethod.Get, limitedPath, "https://app.example");

        // Assert
        await unauthenticated.ShouldBeGatewayErrorAsync(HttpStatusCode.Unauthorized);
        unauthenticated.Header("access-control-allow-origin").ShouldBe("https://app.example");
        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        await limited.ShouldBeGatewayErrorAsync(HttpStatusCode.TooManyRequests);
        limited.Header("access-control-allow-origin").ShouldBe("https://app.example");
    }

    [Fact]
    public async Task NoCors_PreflightAndOrigin_BehaveAsWithoutPolicies()
    {
        // Arrange
        var path = Unique.Path();
        await _edge.Admin.DeployNewAsync(new EndpointSpec { Path = path, Code = PolicyEndpoints.Counter });

        // Act
        using var preflight = await PreflightAsync(path, "https://app.example", "GET");
        using var actual = await SendAsync(HttpMethod.Get, path, "https://app.example");

        // Assert
        await preflight.ShouldBeGatewayErrorAsync(HttpStatusCode.MethodNotAllowed);
        actual.StatusCode.ShouldBe(HttpStatusCode.OK);
        actual.Headers.Any(h => h.Key.StartsWith("access-control-", StringComparison.OrdinalIgnoreCase)).ShouldBeFalse();
    }

    private Task<HttpResponseMessage> PreflightAsync(string path, string origin, string method, string? headers = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        if (headers is not null)
        {
            request.Headers.Add("Access-Control-Request-Headers", headers);
        }

        return _edge.Gateway.SendAsync(request);
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string origin)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("Origin", origin);
        return _edge.Gateway.SendAsync(request);
    }
}
