using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Admin;

[Collection(GatewayCollection.Name)]
public sealed class VersionsApiTests(GatewayFixture fixture)
{
    private const string One = """Response Handle(Context ctx, Request req) => Response.Text(200, "one");""";
    private const string Two = """Response Handle(Context ctx, Request req) => Response.Text(200, "two");""";

    private readonly EdgeProcess _edge = fixture.Edge;

    [Fact]
    public async Task Versions_AfterEditsByTwoCallers_NewestFirstWithAuthorsAndFlags()
    {
        // Arrange
        var id = await _edge.Admin.DeployNewAsync(new EndpointSpec { Path = Unique.Path("ver"), Code = One });
        var keyName = Unique.Name("editor");
        using var editor = await ClientWithKeyAsync(keyName, "endpoints:write");
        (await editor.UpdateEndpointAsync(id, new { code = Two })).ShouldSucceed();

        // Act
        var versions = (await _edge.Admin.GetApiAsync($"/api/endpoints/{id}/versions")).ShouldSucceed().Items;

        // Assert
        versions.Select(v => v.Num("version")).ShouldBe([2, 1]);
        var (latest, first) = (versions[0], versions[1]);
        latest.Str("created_by").ShouldBe(keyName);
        first.Str("created_by").ShouldBe("root");
        latest.Bool("current").ShouldBeTrue();
        first.Bool("current").ShouldBeFalse();
        first.Bool("compiled").ShouldBeTrue();
        latest.Bool("compiled").ShouldBeFalse();
        first.Bool("running").ShouldBeTrue();
        latest.Bool("running").ShouldBeFalse();
        latest.Num("code_bytes").ShouldBe(Encoding.UTF8.GetByteCount(Two));
        latest.Str("sha256").ShouldBe(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Two))));
        latest.Str("created_at").ShouldEndWith("Z");
        latest.TryGetProperty("code", out _).ShouldBeFalse("the list leaves the code out");
    }

    [Fact]
    public async Task Version_One_HasCodeAndDependencies_UnknownAndBadVersionsRefused()
    {
        // Arrange
        var created = (await _edge.Admin.PostApiAsync("/api/endpoints", new
        {
            name = Unique.Name("ver"),
            path = Unique.Path("ver"),
            method = "GET",
            domain = "*",
            code = One,
            dependencies = new { nuget = new[] { "none" } },
        })).ShouldSucceed();

        // Act
        var one = (await _edge.Admin.GetApiAsync($"/api/endpoints/{created.Id}/versions/1")).ShouldSucceed().Data;
        var missing = await _edge.Admin.GetApiAsync($"/api/endpoints/{created.Id}/versions/9");
        var bad = await _edge.Admin.GetApiAsync($"/api/endpoints/{created.Id}/versions/x");
        var noEndpoint = await _edge.Admin.GetApiAsync("/api/endpoints/nope/versions");

        // Assert
        one.Num("version").ShouldBe(1);
        one.Str("code").ShouldBe(One);
        one.GetProperty("dependencies").GetProperty("nuget")[0].GetString().ShouldBe("none");
        one.Bool("current").ShouldBeTrue();
        one.Str("created_by").ShouldBe("root");
        missing.ShouldFail(HttpStatusCode.NotFound).Error!.ShouldContain("no version 9");
        bad.ShouldFail(HttpStatusCode.BadRequest).Error!.ShouldContain("version");
        noEndpoint.ShouldFail(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Rollback_RunningEndpoint_SwapsBackWhileTheInFlightRequestFinishesOnTheNewVersion()
    {
        // Arrange: version 2 is slow when asked, and says when it has started.
        var path = Unique.Path("rollback");
        var id = await _edge.Admin.DeployNewAsync(new EndpointSpec { Path = path, Code = One });
        await _edge.Admin.RedeployAsync(id, """
            async Task<Response> Handle(Context ctx, Request req)
            {
                if (req.Query.ContainsKey("slow"))
                {
                    ctx.Log("slow request started");
                    await Task.Delay(2000);
                }

                return Response.Text(200, "two");
            }
            """);
        var inFlight = _edge.Gateway.GetAsync(path + "?slow=1");
        (await Eventually.HoldsAsync(async () => (await _edge.Admin.LogsAsync(id)).Any(l => l.Message == "slow request started"), TimeSpan.FromSeconds(5)))
            .ShouldBeTrue("the slow request reached version 2");

        // Act
        var rollback = (await _edge.Admin.PostApiAsync($"/api/endpoints/{id}/rollback", new { version = 1 })).ShouldSucceed().Data;
        inFlight.IsCompleted.ShouldBeFalse("the rollback must happen while the version 2 request is still running");
        using var fresh = await _edge.Gateway.GetAsync(path);
        using var old = await inFlight;

        // Assert
        rollback.Num("version").ShouldBe(3);
        rollback.Num("rolled_back_to").ShouldBe(1);
        rollback.Str("status").ShouldBe("running");
        (await fresh.Content.ReadAsStringAsync()).ShouldBe("one");
        old.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await old.Content.ReadAsStringAsync()).ShouldBe("two");
        var endpoint = (await _edge.Admin.GetEndpointAsync(id)).ShouldSucceed().Data;
        endpoint.Num("revision").ShouldBe(3);
        endpoint.Num("running_revision").ShouldBe(3);
        endpoint.Str("code").ShouldBe(One);
        var newest = (await _edge.Admin.GetApiAsync($"/api/endpoints/{id}/versions")).ShouldSucceed().Items[0];
        newest.Str("created_by").ShouldBe("root");
        newest.Bool("running").ShouldBeTrue();
    }

    [Fact]
    public async Task Rollback_StoppedEndpoint_CompilesWithoutStarting()
    {
        // Arrange
        var path = Unique.Path("rollback-stopped");
        var id = await _edge.Admin.DeployNewAsync(new EndpointSpec { Path = path, Code = One });
        (await _edge.Admin.UpdateEndpointAsync(id, new { code = Two })).ShouldSucceed();
        (await _edge.Admin.StopEndpointAsync(id)).ShouldSucceed();

        // Act
        var rollback = (await _edge.Admin.PostApiAsync($"/api/endpoints/{id}/rollback", new { version = 1 })).ShouldSucceed().Data;
        using var response = await _edge.Gateway.GetAsync(path);

        // Assert
        rollback.Str("status").ShouldBe("compiled");
        rollback.Num("version").ShouldBe(3);
        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
    }

    [Fact]
    public async Task Rollback_ToCodeThatDoesNotCompile_422WithDiagnosticsNothingChanges()
    {
        // Arrange: version 1 never compiled; version 2 serves.
        var path = Unique.Path("rollback-bad");
        var created = (await _edge.Admin.CreateEndpointAsync(new EndpointSpec { Path = path, Code = "Response Handle(Context ctx, Request req) => nope;" })).ShouldSucceed();
        await _edge.Admin.RedeployAsync(created.Id, Two);

        // Act
        var rollback = await _edge.Admin.PostApiAsync($"/api/endpoints/{created.Id}/rollback", new { version = 1 });
        using var response = await _edge.Gateway.GetAsync(path);

        // Assert
        rollback.ShouldFail(HttpStatusCode.UnprocessableEntity).Error!.ShouldContain("no longer compiles");
        var diagnostic = rollback.Data.GetProperty("diagnostics")[0];
        diagnostic.Num("line").ShouldBe(1);
        diagnostic.Str("severity").ShouldBe("error");
        (await response.Content.ReadAsStringAsync()).ShouldBe("two");
        (await _edge.Admin.GetEndpointAsync(created.Id)).ShouldSucceed().Data.Num("revision").ShouldBe(2);
    }

    [Fact]
    public async Task Rollback_BadRequests_404And400()
    {
        // Arrange
        var id = await _edge.Admin.DeployNewAsync(new EndpointSpec { Path = Unique.Path("rollback-input"), Code = One });

        // Act
        var unknownVersion = await _edge.Admin.PostApiAsync($"/api/endpoints/{id}/rollback", new { version = 7 });
        var noVersion = await _edge.Admin.PostApiAsync($"/api/endpoints/{id}/rollback", new { });
        var zero = await _edge.Admin.PostApiAsync($"/api/endpoints/{id}/rollback", new { version = 0 });
        var unknownEndpoint = await _edge.Admin.PostApiAsync("/api/endpoints/nope/rollback", new { version = 1 });

        // Assert
        unknownVersion.ShouldFail(HttpStatusCode.NotFound).Error!.ShouldContain("no version 7");
        noVersion.ShouldFail(HttpStatusCode.BadRequest).Error!.ShouldContain("version");
        zero.ShouldFail(HttpStatusCode.BadRequest).Error!.ShouldContain("version");
        unknownEndpoint.ShouldFail(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Rollback_ReadOnlyKey_403NamesEndpointsWrite()
    {
        // Arrange
        var id = await _edge.Admin.DeployNewAsync(new EndpointSpec { Path = Unique.Path("rollback-scope"), Code = One });
        using var reader = await ClientWithKeyAsync(Unique.Name("reader"), "endpoints:read");

        // Act
        var versions = await reader.GetApiAsync($"/api/endpoints/{id}/versions");
        var rollback = await reader.PostApiAsync($"/api/endpoints/{id}/rollback", new { version = 1 });

        // Assert
        versions.ShouldSucceed();
        rollback.ShouldFail(HttpStatusCode.Forbidden).Error!.ShouldContain("endpoints:write");
    }

    private async Task<HttpClient> ClientWithKeyAsync(string name, params string[] scopes)
    {
        var key = (await _edge.Admin.PostApiAsync("/api/admin-keys", new { name, scopes })).ShouldSucceed().Data.Str("key");
        var client = new HttpClient { BaseAddress = _edge.AdminBase };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}
