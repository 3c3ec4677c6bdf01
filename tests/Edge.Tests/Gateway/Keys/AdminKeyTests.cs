using System.Net;
using System.Net.Http.Headers;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Keys;

/// <summary>Scoped admin keys: every admin call checks the scope; no key can hand out more than it holds.</summary>
[Collection(GatewayCollection.Name)]
public sealed class AdminKeyTests(GatewayFixture fixture)
{
    private readonly HttpClient _admin = fixture.Edge.Admin;

    [Fact]
    public async Task ReadOnlyKey_ReadsEndpoints_WritesAndOtherResourcesDenied()
    {
        // Arrange
        using var reader = await ClientWithKeyAsync("endpoints:read");

        // Act
        var list = await reader.GetApiAsync("/api/endpoints");
        var create = await reader.PostApiAsync("/api/endpoints", new { name = "x", path = Unique.Path(), method = "GET", domain = "*", code = "" });
        var services = await reader.GetApiAsync("/api/services");
        var keys = await reader.GetApiAsync("/api/keys");

        // Assert
        list.ShouldSucceed();
        create.ShouldFail(HttpStatusCode.Forbidden).Error!.ShouldContain("lacks the scope endpoints:write");
        services.ShouldFail(HttpStatusCode.Forbidden).Error!.ShouldContain("services:read");
        keys.ShouldFail(HttpStatusCode.Forbidden).Error!.ShouldContain("keys:read");
    }

    [Fact]
    public async Task WriteScope_IncludesRead_AndImportCountsAsEndpointWrite()
    {
        // Arrange
        using var writer = await ClientWithKeyAsync("endpoints:write");
        using var reader = await ClientWithKeyAsync("endpoints:read");

        // Act
        var created = await writer.PostApiAsync("/api/endpoints", new { name = "w", path = Unique.Path(), method = "GET", domain = "*", code = "" });
        var read = await writer.GetApiAsync("/api/endpoints/" + created.Id);
        var import = await reader.SendRawAsync(HttpMethod.Post, "/api/import/openapi", """{"spec":"openapi: 3.1.0","domain":"*"}""");

        // Assert
        created.ShouldSucceed();
        read.ShouldSucceed();
        import.ShouldFail(HttpStatusCode.Forbidden).Error!.ShouldContain("endpoints:write");
    }

    [Fact]
    public async Task KeyManager_CannotHandOutMoreThanItHolds()
    {
        // Arrange
        using var manager = await ClientWithKeyAsync("admin-keys:write", "endpoints:read");

        // Act
        var narrower = await manager.PostApiAsync("/api/admin-keys", new { name = "sub", scopes = new[] { "endpoints:read" } });
        var everything = await manager.PostApiAsync("/api/admin-keys", new { name = "root-ish", scopes = new[] { "*" } });
        var wider = await manager.PostApiAsync("/api/admin-keys", new { name = "writer", scopes = new[] { "endpoints:write" } });

        // Assert
        narrower.ShouldSucceed();
        everything.ShouldFail(HttpStatusCode.Forbidden);
        wider.ShouldFail(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task AdminKey_Revoked_401()
    {
        // Arrange
        var created = (await _admin.PostApiAsync("/api/admin-keys", new { name = "temp", scopes = new[] { "endpoints:read" } })).ShouldSucceed();
        using var client = Client(created.Data.Str("key"));
        (await client.GetApiAsync("/api/endpoints")).ShouldSucceed();

        // Act
        (await _admin.DeleteApiAsync("/api/admin-keys/" + created.Id)).ShouldSucceed();
        var after = await client.GetApiAsync("/api/endpoints");

        // Assert
        after.ShouldFail(HttpStatusCode.Unauthorized).Error!.ShouldContain("invalid admin key: unknown or revoked key");
        (await _admin.GetApiAsync("/api/admin-keys")).ShouldSucceed().Items.ShouldNotContain(k => k.Str("id") == created.Id);
    }

    [Fact]
    public async Task AdminKey_WithoutScopes_400()
    {
        // Act
        var response = await _admin.PostApiAsync("/api/admin-keys", new { name = "vague" });

        // Assert
        response.ShouldFail(HttpStatusCode.BadRequest).ShouldNameFields("scopes");
    }

    [Fact]
    public async Task TrafficKey_AsAdminCredential_401()
    {
        // Arrange
        var key = (await _admin.PostApiAsync("/api/keys", new { name = "traffic" })).ShouldSucceed().Data.Str("key");
        using var client = Client(key);

        // Act
        var response = await client.GetApiAsync("/api/endpoints");

        // Assert
        response.ShouldFail(HttpStatusCode.Unauthorized);
    }

    private async Task<HttpClient> ClientWithKeyAsync(params string[] scopes)
    {
        var key = (await _admin.PostApiAsync("/api/admin-keys", new { name = "scoped " + string.Join(",", scopes), scopes })).ShouldSucceed().Data.Str("key");
        key.ShouldStartWith("eak_");
        return Client(key);
    }

    private HttpClient Client(string key)
    {
        var client = new HttpClient { BaseAddress = fixture.Edge.AdminBase };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}
