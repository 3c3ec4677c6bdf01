using System.Net;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Routing;

/// <summary>Route matching through the gateway port: literals, parameters, hosts, 404/405.</summary>
[Collection(GatewayCollection.Name)]
public sealed class RoutingTests(GatewayFixture fixture)
{
    private readonly EdgeProcess _edge = fixture.Edge;

    [Fact]
    public async Task Match_LiteralAndParameter_LiteralWins()
    {
        // Arrange: the parameter route is registered first
        var prefix = Unique.Path();
        await DeployTextAsync(prefix + "/users/{id}", "param");
        await DeployTextAsync(prefix + "/users/me", "literal");

        // Act
        var me = await GetTextAsync(prefix + "/users/me");
        var other = await GetTextAsync(prefix + "/users/42");

        // Assert
        me.ShouldBe("literal");
        other.ShouldBe("param");
    }

    [Fact]
    public async Task Match_LiteralRegisteredFirst_LiteralStillWins()
    {
        // Arrange
        var prefix = Unique.Path();
        await DeployTextAsync(prefix + "/items/new", "literal");
        await DeployTextAsync(prefix + "/items/{id}", "param");

        // Act + Assert
        (await GetTextAsync(prefix + "/items/new")).ShouldBe("literal");
        (await GetTextAsync(prefix + "/items/7")).ShouldBe("param");
    }

    [Fact]
    public async Task Match_EarlierLiteralSegmentWins()
    {
        // Arrange
        var prefix = Unique.Path();
        await DeployTextAsync(prefix + "/a/{x}/c", "param-first");
        await DeployTextAsync(prefix + "/a/b/{y}", "literal-first");

        // Act + Assert
        (await GetTextAsync(prefix + "/a/b/c")).ShouldBe("literal-first");
        (await GetTextAsync(prefix + "/a/z/c")).ShouldBe("param-first");
    }

    [Fact]
    public async Task Match_LiteralBranchDeadEnds_FallsBackToParameter()
    {
        // Arrange
        var prefix = Unique.Path();
        await DeployTextAsync(prefix + "/bt/{x}/end", "param");
        await DeployTextAsync(prefix + "/bt/lit/other", "literal");

        // Act
        var text = await GetTextAsync(prefix + "/bt/lit/end");

        // Assert
        text.ShouldBe("param");
    }

    [Fact]
    public async Task Match_SeveralParameters_AllBound()
    {
        // Arrange
        var prefix = Unique.Path();
        await _edge.Admin.DeployNewAsync(new EndpointSpec
        {
            Path = prefix + "/users/{id}/posts/{post_id}",
            Code = """Response Handle(Context ctx, Request req) => Response.Text(200, req.PathParam("id") + ":" + req.PathParam("post_id"));""",
        });

        // Act + Assert
        (await GetTextAsync(prefix + "/users/5/posts/abc")).ShouldBe("5:abc");
    }

    [Fact]
    public async Task Match_ExactHostAndWildcard_ExactHostWins()
    {
        // Arrange
        var path = Unique.Path("hosted");
        var host = Unique.Host();
        await DeployTextAsync(path, "any", "*");
        await DeployTextAsync(path, "exact", host);

        // Act
        using var exact = await _edge.Gateway.SendWithHostAsync(HttpMethod.Get, path, host);
        using var other = await _edge.Gateway.SendWithHostAsync(HttpMethod.Get, path, "other.test");
        using var plain = await _edge.Gateway.GetAsync(path);

        // Assert
        (await exact.Content.ReadAsStringAsync()).ShouldBe("exact");
        (await other.Content.ReadAsStringAsync()).ShouldBe("any");
        (await plain.Content.ReadAsStringAsync()).ShouldBe("any");
    }

    [Fact]
    public async Task Match_HostHeaderWithPortOrOtherCase_MatchesDomain()
    {
        // Arrange
        var path = Unique.Path("hosted");
        var host = Unique.Host();
        await DeployTextAsync(path, "exact", host);

        // Act
        using var withPort = await _edge.Gateway.SendWithHostAsync(HttpMethod.Get, path, $"{host}:{_edge.Port}");
        using var upper = await _edge.Gateway.SendWithHostAsync(HttpMethod.Get, path, host.ToUpperInvariant());

        // Assert
        withPort.StatusCode.ShouldBe(HttpStatusCode.OK, await withPort.DescribeAsync());
        (await withPort.Content.ReadAsStringAsync()).ShouldBe("exact");
        upper.StatusCode.ShouldBe(HttpStatusCode.OK, await upper.DescribeAsync());
    }

    [Fact]
    public async Task Match_OnlyExactHostRoute_OtherHost404()
    {
        // Arrange
        var path = Unique.Path("only-host");
        await DeployTextAsync(path, "exact", Unique.Host());

        // Act
        using var response = await _edge.Gateway.SendWithHostAsync(HttpMethod.Get, path, "somewhere-else.test");

        // Assert
        await response.ShouldBeGatewayErrorAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Match_NoRoute_Returns404Json()
    {
        // Act
        using var response = await _edge.Gateway.GetAsync(Unique.Path("nothing-here"));

        // Assert
        await response.ShouldBeGatewayErrorAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Match_PathKnownMethodNot_Returns405WithAllow()
    {
        // Arrange
        var path = Unique.Path("m");
        await DeployTextAsync(path, "get");
        await DeployTextAsync(path, "delete", method: "DELETE");

        // Act
        using var response = await _edge.Gateway.SendAsync(HttpMethod.Post, path, "{}");

        // Assert
        await response.ShouldBeGatewayErrorAsync(HttpStatusCode.MethodNotAllowed);
        var allow = response.Header("Allow");
        allow.ShouldNotBeNull("405 carries an Allow header");
        allow.ShouldContain("GET");
        allow.ShouldContain("DELETE");
    }

    [Fact]
    public async Task Match_MethodsOnSamePath_EachGoesToItsHandler()
    {
        // Arrange
        var path = Unique.Path("methods");
        foreach (var method in new[] { "GET", "POST", "PUT", "DELETE", "PATCH" })
        {
            await DeployTextAsync(path, method.ToLowerInvariant(), method: method);
        }

        // Act + Assert
        foreach (var method in new[] { "GET", "POST", "PUT", "DELETE", "PATCH" })
        {
            using var response = await _edge.Gateway.SendAsync(new HttpMethod(method), path);
            (await response.Content.ReadAsStringAsync()).ShouldBe(method.ToLowerInvariant());
        }
    }

    [Fact]
    public async Task Match_UpdatedPath_OldPath404NewPathServes()
    {
        // Arrange
        var oldPath = Unique.Path("old");
        var newPath = Unique.Path("new");
        var id = await DeployTextAsync(oldPath, "moved");

        // Act
        (await _edge.Admin.UpdateEndpointAsync(id, new { path = newPath })).ShouldSucceed();
        using var atOld = await _edge.Gateway.GetAsync(oldPath);
        using var atNew = await _edge.Gateway.GetAsync(newPath);

        // Assert
        atOld.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        atNew.StatusCode.ShouldBe(HttpStatusCode.OK, await atNew.DescribeAsync());
        (await atNew.Content.ReadAsStringAsync()).ShouldBe("moved");
    }

    [Fact]
    public async Task Match_QueryString_DoesNotAffectRouting()
    {
        // Arrange
        var path = Unique.Path("qs");
        await DeployTextAsync(path, "matched");

        // Act + Assert
        (await GetTextAsync(path + "?a=1&b=/x/y")).ShouldBe("matched");
    }

    private async Task<string> DeployTextAsync(string path, string text, string domain = "*", string method = "GET") =>
        await _edge.Admin.DeployNewAsync(new EndpointSpec
        {
            Path = path,
            Domain = domain,
            Method = method,
            Code = $$"""Response Handle(Context ctx, Request req) => Response.Text(200, "{{text}}");""",
        });

    private async Task<string> GetTextAsync(string path)
    {
        using var response = await _edge.Gateway.GetAsync(path);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, $"GET {path}: {await response.DescribeAsync()}");
        return await response.Content.ReadAsStringAsync();
    }
}
