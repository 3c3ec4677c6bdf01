using System.Text.Json.Nodes;
using Edge.Gateway.Policies;

namespace Edge.Tests.Gateway.Policies;

/// <summary>Parsing and normalising rate_limit and cors values.</summary>
public sealed class PolicySettingsTests
{
    [Theory]
    [InlineData("https://A.Example", "https://a.example")]
    [InlineData("https://a.example/", "https://a.example")]
    [InlineData("https://a.example:443", "https://a.example")]
    [InlineData("http://localhost:8080", "http://localhost:8080")]
    public void NormalizeOrigin_AbsoluteOrigins_LowerCaseWithoutDefaultPort(string origin, string expected)
    {
        // Act
        var normal = CorsSettings.NormalizeOrigin(origin);

        // Assert
        normal.ShouldBe(expected);
    }

    [Theory]
    [InlineData("https://a.example/app")]
    [InlineData("a.example")]
    [InlineData("https://a.example?x=1")]
    [InlineData("https://user@a.example")]
    [InlineData("https://*.example")]
    public void NormalizeOrigin_NotAnOrigin_Null(string origin)
    {
        // Act
        var normal = CorsSettings.NormalizeOrigin(origin);

        // Assert
        normal.ShouldBeNull();
    }

    [Fact]
    public void RateLimitParse_HeaderKey_NameLowerCasedAndKeyDefaultsToIp()
    {
        // Act
        var header = RateLimitSettings.Parse(JsonNode.Parse("""{"permits": 5, "window_seconds": 1, "key": "header:X-Tenant"}""")).Settings;
        var plain = RateLimitSettings.Parse(JsonNode.Parse("""{"permits": 5, "window_seconds": 1}""")).Settings;

        // Assert
        header!.HeaderName.ShouldBe("x-tenant");
        plain!.Key.ShouldBe("ip");
    }

    [Theory]
    [InlineData("""{"permits": 5, "window_seconds": 1}""", "refused")]
    [InlineData("""{"permits": 5, "window_seconds": 1, "headers": "refused"}""", "refused")]
    [InlineData("""{"permits": 5, "window_seconds": 1, "headers": "always"}""", "always")]
    public void RateLimitParse_Headers_DefaultsToRefused(string json, string expected)
    {
        // Act
        var settings = RateLimitSettings.Parse(JsonNode.Parse(json)).Settings;

        // Assert
        settings!.Headers.ShouldBe(expected);
        settings.ToJson().ShouldContain($"\"headers\":\"{expected}\"");
    }

    [Theory]
    [InlineData("""{"permits": 5, "window_seconds": 1, "headers": "never"}""")]
    [InlineData("""{"permits": 5, "window_seconds": 1, "headers": true}""")]
    public void RateLimitParse_BadHeaders_ProblemNamesTheChoices(string json)
    {
        // Act
        var (settings, problem) = RateLimitSettings.Parse(JsonNode.Parse(json));

        // Assert
        settings.ShouldBeNull();
        problem.ShouldNotBeNull();
        problem.ShouldContain("headers must be \"refused\"");
        problem.ShouldContain("\"always\"");
    }
}
