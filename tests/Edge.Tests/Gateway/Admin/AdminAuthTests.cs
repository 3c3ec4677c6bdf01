using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Admin;

[Collection(GatewayCollection.Name)]
public sealed class AdminAuthTests(GatewayFixture fixture)
{
    private readonly EdgeProcess _edge = fixture.Edge;

    public static TheoryData<string, string> ProtectedRoutes => new()
    {
        { "GET", "/api/stats" },
        { "GET", "/api/domains" },
        { "POST", "/api/domains" },
        { "GET", "/api/collections" },
        { "POST", "/api/collections" },
        { "GET", "/api/endpoints" },
        { "POST", "/api/endpoints" },
        { "GET", "/api/endpoints/00000000-0000-0000-0000-000000000000" },
        { "PUT", "/api/endpoints/00000000-0000-0000-0000-000000000000" },
        { "DELETE", "/api/endpoints/00000000-0000-0000-0000-000000000000" },
        { "POST", "/api/endpoints/00000000-0000-0000-0000-000000000000/deploy" },
        { "GET", "/api/endpoints/00000000-0000-0000-0000-000000000000/logs" },
    };

    [Fact]
    public async Task Health_WithoutToken_Returns200Healthy()
    {
        // Arrange
        using var anonymous = new HttpClient { BaseAddress = _edge.AdminBase };

        // Act
        var health = await anonymous.GetApiAsync("/api/health");

        // Assert
        health.Status.ShouldBe(HttpStatusCode.OK, health.ToString());
        health.Ok.ShouldBeTrue(health.ToString());
        health.Data.Str("status").ShouldBe("healthy");
        health.Data.Str("version").ShouldNotBeNullOrWhiteSpace();
        health.ContentType.ShouldBe("application/json");
    }

    [Theory]
    [MemberData(nameof(ProtectedRoutes))]
    public async Task Route_WithoutToken_Returns401Envelope(string method, string path)
    {
        // Arrange
        using var anonymous = new HttpClient { BaseAddress = _edge.AdminBase };
        using var request = Request(method, path);

        // Act
        var response = await anonymous.SendParsedAsync(request);

        // Assert
        response.ShouldFail(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [MemberData(nameof(ProtectedRoutes))]
    public async Task Route_WithWrongToken_Returns401Envelope(string method, string path)
    {
        // Arrange
        using var wrong = new HttpClient { BaseAddress = _edge.AdminBase };
        wrong.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _edge.Token + "x");
        using var request = Request(method, path);

        // Act
        var response = await wrong.SendParsedAsync(request);

        // Assert
        response.ShouldFail(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Route_WithTokenInWrongScheme_Returns401()
    {
        // Arrange
        using var basic = new HttpClient { BaseAddress = _edge.AdminBase };
        basic.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", _edge.Token);

        // Act
        var response = await basic.GetApiAsync("/api/domains");

        // Assert
        response.ShouldFail(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Route_WithRightToken_Succeeds()
    {
        // Act
        var response = await _edge.Admin.GetApiAsync("/api/stats");

        // Assert
        response.ShouldSucceed();
    }

    [Fact]
    public async Task UnknownAdminRoute_WithToken_Returns404Envelope()
    {
        // Act
        var response = await _edge.Admin.GetApiAsync("/api/no-such-thing");

        // Assert
        response.ShouldFail(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task CreateWithoutToken_Rejected_StoresNothing()
    {
        // Arrange
        using var anonymous = new HttpClient { BaseAddress = _edge.AdminBase };
        var name = Unique.Name("sneaky");

        // Act
        var response = await anonymous.CreateDomainAsync(name, Unique.Host());

        // Assert
        response.ShouldFail(HttpStatusCode.Unauthorized);
        var domains = (await _edge.Admin.GetApiAsync("/api/domains")).ShouldSucceed();
        domains.Items.ShouldNotContain(d => d.Str("name") == name);
    }

    private static HttpRequestMessage Request(string method, string path)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "POST" or "PUT")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        return request;
    }
}
