using System.Net;
using System.Net.Http.Headers;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Admin;

[Collection(GatewayCollection.Name)]
public sealed class WhoAmITests(GatewayFixture fixture)
{
    private readonly EdgeProcess _edge = fixture.Edge;

    [Fact]
    public async Task WhoAmI_RootToken_NamesRoot()
    {
        // Act
        var me = (await _edge.Admin.GetApiAsync("/api/whoami")).ShouldSucceed().Data;

        // Assert
        me.Str("name").ShouldBe("root");
        me.Str("kind").ShouldBe("root");
        me.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()).ShouldBe(["*"]);
        me.GetProperty("expires_at").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
    }

    [Fact]
    public async Task WhoAmI_AdminKeyWithoutSystemScope_AnswersItsNameScopesAndExpiry()
    {
        // Arrange
        var expires = DateTimeOffset.UtcNow.AddDays(3).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var name = Unique.Name("reader");
        var key = (await _edge.Admin.PostApiAsync("/api/admin-keys", new { name, scopes = new[] { "endpoints:read" }, expires_at = expires }))
            .ShouldSucceed().Data.Str("key");
        using var client = Client(key);

        // Act
        var me = (await client.GetApiAsync("/api/whoami")).ShouldSucceed().Data;
        var system = await client.GetApiAsync("/api/stats");

        // Assert
        me.Str("name").ShouldBe(name);
        me.Str("kind").ShouldBe("admin_key");
        me.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()).ShouldBe(["endpoints:read"]);
        me.Str("expires_at").ShouldStartWith(expires[..16]);
        system.ShouldFail(HttpStatusCode.Forbidden).Error!.ShouldContain("system:read");
    }

    [Fact]
    public async Task WhoAmI_WrongToken_401InvalidAdminToken()
    {
        // Arrange
        using var client = Client("not-the-token");

        // Act
        var answer = await client.GetApiAsync("/api/whoami");

        // Assert
        answer.ShouldFail(HttpStatusCode.Unauthorized).Error.ShouldBe("invalid admin token");
    }

    [Fact]
    public async Task WhoAmI_ExpiredAdminKey_401AdminKeyExpired()
    {
        // Arrange
        var expires = DateTimeOffset.UtcNow.AddSeconds(2).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var key = (await _edge.Admin.PostApiAsync("/api/admin-keys", new { name = Unique.Name("brief"), scopes = new[] { "endpoints:read" }, expires_at = expires }))
            .ShouldSucceed().Data.Str("key");
        using var client = Client(key);
        (await client.GetApiAsync("/api/whoami")).ShouldSucceed();

        // Act
        var expired = await Eventually.HoldsAsync(async () => (await client.GetApiAsync("/api/whoami")).Status == HttpStatusCode.Unauthorized, TimeSpan.FromSeconds(5));
        var answer = await client.GetApiAsync("/api/whoami");

        // Assert
        expired.ShouldBeTrue();
        answer.ShouldFail(HttpStatusCode.Unauthorized).Error!.ShouldStartWith("admin key expired");
    }

    private HttpClient Client(string token)
    {
        var client = new HttpClient { BaseAddress = _edge.AdminBase };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
