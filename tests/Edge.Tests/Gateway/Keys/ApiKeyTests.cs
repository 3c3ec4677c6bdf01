using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Keys;

/// <summary>Traffic keys from creation to revocation, against the real binary: shown once, stored hashed, scoped, expiring.</summary>
[Collection(GatewayCollection.Name)]
public sealed class ApiKeyTests(GatewayFixture fixture)
{
    private const string WhoCalled = """
        Response Handle(Context ctx, Request req) => Response.Ok(new { key = req.ApiKey?.Name, id = req.ApiKey?.Id });
        """;

    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly HttpClient _gateway = fixture.Edge.Gateway;

    [Fact]
    public async Task Key_Lifecycle_CreateUseRevoke()
    {
        // Arrange
        var path = Unique.Path();
        await _admin.DeployNewAsync(new EndpointSpec { Path = path, Code = WhoCalled, Auth = "api_key" });
        var created = (await _admin.PostApiAsync("/api/keys", new { name = "billing-service" })).ShouldSucceed();
        var key = created.Data.Str("key");
        var id = created.Id;

        // Act
        using var none = await _gateway.GetAsync(path);
        using var bearer = await SendAsync(path, ("Authorization", "Bearer " + key));
        using var header = await SendAsync(path, ("X-API-Key", key));
        using var wrong = await SendAsync(path, ("X-API-Key", key[..^2] + "xx"));
        var listed = (await _admin.GetApiAsync("/api/keys")).ShouldSucceed();
        (await _admin.DeleteApiAsync($"/api/keys/{id}")).ShouldSucceed();
        using var revoked = await SendAsync(path, ("Authorization", "Bearer " + key));

        // Assert
        created.Status.ShouldBe(HttpStatusCode.Created);
        key.ShouldStartWith("ek_");
        created.Data.Str("name").ShouldBe("billing-service");
        (await none.ShouldBeGatewayErrorAsync(HttpStatusCode.Unauthorized)).Str("error").ShouldContain("needs an API key");
        none.Headers.WwwAuthenticate.ToString().ShouldStartWith("Bearer");
        bearer.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await bearer.Content.ReadAsStringAsync()).ShouldBe($$"""{"key":"billing-service","id":"{{id}}"}""");
        header.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await wrong.ShouldBeGatewayErrorAsync(HttpStatusCode.Unauthorized)).Str("error").ShouldContain("unknown or revoked");
        var entry = listed.Items.Single(k => k.Str("id") == id);
        entry.TryGetProperty("key", out _).ShouldBeFalse();
        entry.TryGetProperty("secret_hash", out _).ShouldBeFalse();
        key.ShouldContain(entry.Str("prefix"));
        entry.Str("last_used_at").ShouldNotBeNullOrEmpty();
        listed.Body.ShouldNotContain(key[^20..]);
        (await revoked.ShouldBeGatewayErrorAsync(HttpStatusCode.Unauthorized)).Str("error").ShouldContain("unknown or revoked");
        (await _admin.GetApiAsync($"/api/keys/{id}")).ShouldFail(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Key_NeverStoredInTheClear_OnlyItsHashIsInTheDatabase()
    {
        // Arrange
        var key = (await _admin.PostApiAsync("/api/keys", new { name = "hash-check" })).ShouldSucceed().Data.Str("key");
        var secret = key[(key.LastIndexOf('_') + 1)..];

        // Act: the whole store, WAL included.
        var bytes = new List<byte>();
        foreach (var file in Directory.GetFiles(fixture.Edge.DataDir, "edge.db*"))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            bytes.AddRange(copy.ToArray());
        }

        // Assert
        Encoding.Latin1.GetString([.. bytes]).ShouldNotContain(secret);
    }

    [Fact]
    public async Task Key_Scoped_ReachesOnlyItsEndpointsCollectionsAndDomains()
    {
        // Arrange
        var allowedPath = Unique.Path();
        var otherPath = Unique.Path();
        var name = "scoped-" + Guid.NewGuid().ToString("N")[..8];
        await _admin.DeployNewAsync(new EndpointSpec { Path = allowedPath, Name = name, Code = WhoCalled, Auth = "api_key" });
        await _admin.DeployNewAsync(new EndpointSpec { Path = otherPath, Code = WhoCalled, Auth = "api_key" });
        var key = (await _admin.PostApiAsync("/api/keys", new { name = "narrow", scopes = new[] { "endpoint:" + name } })).ShouldSucceed().Data.Str("key");

        // Act
        using var allowed = await SendAsync(allowedPath, ("X-API-Key", key));
        using var other = await SendAsync(otherPath, ("X-API-Key", key));

        // Assert
        allowed.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await other.ShouldBeGatewayErrorAsync(HttpStatusCode.Forbidden)).Str("error").ShouldContain("'narrow' is not allowed to call this endpoint");
    }

    [Fact]
    public async Task Key_WithExpiry_RefusedOnceExpired()
    {
        // Arrange
        var path = Unique.Path();
        await _admin.DeployNewAsync(new EndpointSpec { Path = path, Code = WhoCalled, Auth = "api_key" });
        var expires = DateTimeOffset.UtcNow.AddSeconds(3).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
        var key = (await _admin.PostApiAsync("/api/keys", new { name = "short-lived", expires_at = expires })).ShouldSucceed().Data.Str("key");

        // Act
        using var before = await SendAsync(path, ("X-API-Key", key));
        await Task.Delay(TimeSpan.FromSeconds(4));
        using var after = await SendAsync(path, ("X-API-Key", key));

        // Assert
        before.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await after.ShouldBeGatewayErrorAsync(HttpStatusCode.Unauthorized)).Str("error").ShouldContain("'short-lived' expired at");
    }

    [Theory]
    [InlineData("""{"scopes":["*"]}""", "name")]
    [InlineData("""{"name":"x","scopes":["tenant:7"]}""", "scopes")]
    [InlineData("""{"name":"x","scopes":"*"}""", "scopes")]
    [InlineData("""{"name":"x","expires_at":"2001-01-01T00:00:00Z"}""", "expires_at")]
    [InlineData("""{"name":"x","expires_at":"next tuesday"}""", "expires_at")]
    [InlineData("""{"name":"x","key":"ek_mine"}""", "key")]
    public async Task Create_BadBody_400NamingTheField(string body, string field)
    {
        // Act
        var response = await _admin.SendRawAsync(HttpMethod.Post, "/api/keys", body);

        // Assert
        response.ShouldFail(HttpStatusCode.BadRequest).ShouldNameFields(field);
    }

    [Fact]
    public async Task Endpoint_BadAuthFields_400AndNothingChanged()
    {
        // Arrange
        var path = Unique.Path();
        var id = await _admin.DeployNewAsync(new EndpointSpec { Path = path, Code = WhoCalled });

        // Act
        var badAuth = await _admin.UpdateEndpointAsync(id, new { auth = "magic" });
        var badNames = await _admin.UpdateEndpointAsync(id, new { allowed_client_names = "billing" });
        using var still = await _gateway.GetAsync(path);

        // Assert
        badAuth.ShouldFail(HttpStatusCode.BadRequest).ShouldNameFields("auth");
        badNames.ShouldFail(HttpStatusCode.BadRequest).ShouldNameFields("allowed_client_names");
        (await _admin.GetEndpointAsync(id)).ShouldSucceed().Data.Str("auth").ShouldBe("none");
        still.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task AdminKey_PresentedToTheGateway_Refused()
    {
        // Arrange
        var path = Unique.Path();
        await _admin.DeployNewAsync(new EndpointSpec { Path = path, Code = WhoCalled, Auth = "api_key" });
        var adminKey = (await _admin.PostApiAsync("/api/admin-keys", new { name = "ops", scopes = new[] { "*" } })).ShouldSucceed().Data.Str("key");

        // Act
        using var response = await SendAsync(path, ("Authorization", "Bearer " + adminKey));

        // Assert
        (await response.ShouldBeGatewayErrorAsync(HttpStatusCode.Unauthorized)).Str("error").ShouldContain("not an edge API key");
    }

    private async Task<HttpResponseMessage> SendAsync(string path, (string Name, string Value) header)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (header.Name == "Authorization")
        {
            request.Headers.Authorization = AuthenticationHeaderValue.Parse(header.Value);
        }
        else
        {
            request.Headers.Add(header.Name, header.Value);
        }

        return await _gateway.SendAsync(request);
    }
}
