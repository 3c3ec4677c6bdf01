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
}
