using Edge.Gateway.Routing;

namespace Edge.Tests.Gateway.Routing;

public sealed class RouteTableTests
{
    private sealed record Target(string Id) : IRouteTarget;

    private static RouteDefinition Route(string host, string method, string path, string id)
    {
        RoutePattern.TryParse(path, out var pattern, out var error).ShouldBeTrue(error);
        return new RouteDefinition(host, method, pattern!, new Target(id));
    }

    [Fact]
    public void Match_LiteralAndParameterSameShape_LiteralWins()
    {
        var table = RouteTable.Build([Route("*", "GET", "/users/{id}", "param"), Route("*", "GET", "/users/me", "literal")]);

        table.Match("x", "GET", "/users/me").Target!.Id.ShouldBe("literal");
        var other = table.Match("x", "GET", "/users/42");
        other.Target!.Id.ShouldBe("param");
        other.Parameters!["id"].ShouldBe("42");
    }

    [Fact]
    public void Match_LiteralSegmentDeepInPattern_BacktracksToParameter()
    {
        var table = RouteTable.Build([Route("*", "GET", "/a/{x}/c", "first"), Route("*", "GET", "/{y}/b/d", "second")]);

        table.Match("", "GET", "/a/b/c").Target!.Id.ShouldBe("first");
        var second = table.Match("", "GET", "/a/b/d");
        second.Target!.Id.ShouldBe("second");
        second.Parameters!["y"].ShouldBe("a");
    }

    [Fact]
    public void Match_ExactHostAndWildcard_ExactHostWinsAndPortIsIgnored()
    {
        var table = RouteTable.Build([Route("*", "GET", "/x", "any"), Route("api.example.com", "GET", "/x", "exact")]);

        table.Match("API.example.com:9080", "GET", "/x").Target!.Id.ShouldBe("exact");
        table.Match("other.example.com", "GET", "/x").Target!.Id.ShouldBe("any");
        table.Match("[::1]:9080", "GET", "/x").Target!.Id.ShouldBe("any");
    }

    [Fact]
    public void Match_ExactHostLacksMethod_FallsBackToWildcardHost()
    {
        var table = RouteTable.Build([Route("*", "POST", "/x", "any-post"), Route("h.example", "GET", "/x", "exact-get")]);

        table.Match("h.example", "POST", "/x").Target!.Id.ShouldBe("any-post");
    }

    [Fact]
    public void Match_PathKnownMethodNot_MethodNotAllowedWithAllow()
    {
        var table = RouteTable.Build([Route("*", "GET", "/items/{id}", "get"), Route("*", "DELETE", "/items/{id}", "delete")]);

        var match = table.Match("", "PUT", "/items/3");

        match.Kind.ShouldBe(RouteMatchKind.MethodNotAllowed);
        match.Allow.ShouldBe("GET, HEAD, DELETE");
    }

    [Fact]
    public void Match_UnknownPath_NotFound()
    {
        var table = RouteTable.Build([Route("*", "GET", "/items/{id}", "get")]);

        table.Match("", "GET", "/items").Kind.ShouldBe(RouteMatchKind.NotFound);
        table.Match("", "GET", "/items/1/2").Kind.ShouldBe(RouteMatchKind.NotFound);
        table.Match("", "GET", "/items//").Kind.ShouldBe(RouteMatchKind.NotFound);
        RouteTable.Empty.Match("", "GET", "/").Kind.ShouldBe(RouteMatchKind.NotFound);
    }

    [Fact]
    public void Match_TrailingSlashAndHead_AreNormalised()
    {
        var table = RouteTable.Build([Route("*", "GET", "/hello/", "hello"), Route("*", "GET", "/", "root")]);

        table.Match("", "GET", "/hello/").Target!.Id.ShouldBe("hello");
        table.Match("", "HEAD", "/hello").Target!.Id.ShouldBe("hello");
        table.Match("", "GET", "").Target!.Id.ShouldBe("root");
    }

    [Fact]
    public void Match_LiteralRoute_AllocatesNothing()
    {
        var routes = Enumerable.Range(0, 10_000).Select(i => Route("*", "GET", $"/r{i}/items", "t" + i)).ToList();
        var table = RouteTable.Build(routes);
        table.Match("h", "GET", "/r5000/items");

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            table.Match("h:9080", "GET", "/r5000/items");
        }

        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBe(0);
    }

    [Fact]
    public void Build_DuplicateShape_Throws()
    {
        Should.Throw<ArgumentException>(() => RouteTable.Build([Route("*", "GET", "/u/{id}", "a"), Route("*", "GET", "/u/{uid}", "b")]));
    }

    [Theory]
    [InlineData("users", "must start with '/'")]
    [InlineData("/a//b", "empty segments")]
    [InlineData("/a/{1x}", "must look like {name}")]
    [InlineData("/a/{id}/{id}", "appears twice")]
    [InlineData("/a/x{id}", "whole segment")]
    [InlineData("/a b", "spaces")]
    public void TryParse_BadPattern_NamesTheProblem(string path, string expected)
    {
        RoutePattern.TryParse(path, out _, out var error).ShouldBeFalse();
        error.ShouldNotBeNull().ShouldContain(expected);
    }

    [Fact]
    public void TryParse_Pattern_KeyIgnoresParameterNames()
    {
        RoutePattern.TryParse("/users/{id}/posts/{post_id}/", out var a, out _);
        RoutePattern.TryParse("/users/{uid}/posts/{p}", out var b, out _);

        a!.Key.ShouldBe(b!.Key);
        a.Text.ShouldBe("/users/{id}/posts/{post_id}");
        a.ParameterNames.ShouldBe(["id", "post_id"]);
    }
}
