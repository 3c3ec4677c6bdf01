using System.Net;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Admin;

[Collection(GatewayCollection.Name)]
public sealed class EndpointsApiTests(GatewayFixture fixture)
{
    private const string MissingId = "00000000-0000-0000-0000-000000000000";
    private const string Hello = "Response Handle(Context ctx, Request req) => Response.Ok(new { message = \"hello\" });";
    private readonly HttpClient _admin = fixture.Edge.Admin;

    [Fact]
    public async Task Create_MinimalEndpoint_AppliesDefaults()
    {
        // Arrange
        var path = Unique.Path("defaults");
        var name = Unique.Name("ep");

        // Act
        var created = await _admin.PostApiAsync("/api/endpoints", new { name, path, method = "get", domain = "*", code = Hello });

        // Assert
        created.ShouldSucceed();
        var e = created.Data;
        Guid.TryParse(e.Str("id"), out _).ShouldBeTrue(created.ToString());
        e.Str("name").ShouldBe(name);
        e.Str("path").ShouldBe(path);
        e.Str("method").ShouldBe("GET", "method is upper-cased");
        e.Str("domain").ShouldBe("*");
        e.Str("code").ShouldBe(Hello);
        e.Bool("enabled").ShouldBeTrue();
        e.Num("timeout_ms").ShouldBe(30000);
        e.Num("drain_timeout_ms").ShouldBe(30000);
        e.Num("max_body_bytes").ShouldBe(10485760);
        e.Str("status").ShouldBe("created");
        e.Num("revision").ShouldBeGreaterThanOrEqualTo(0);
        e.Str("created_at").ShouldNotBeNullOrWhiteSpace();
        e.Str("updated_at").ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task Create_ThenGet_ReturnsSameEndpoint()
    {
        // Arrange
        var created = (await _admin.CreateEndpointAsync(new EndpointSpec { Path = Unique.Path("x"), Code = Hello, Method = "POST", TimeoutMs = 1234, Description = "desc" })).ShouldSucceed();

        // Act
        var fetched = await _admin.GetEndpointAsync(created.Id);

        // Assert
        fetched.ShouldSucceed();
        fetched.Data.Str("path").ShouldBe(created.Data.Str("path"));
        fetched.Data.Str("method").ShouldBe("POST");
        fetched.Data.Num("timeout_ms").ShouldBe(1234);
        fetched.Data.Str("description").ShouldBe("desc");
    }

    [Fact]
    public async Task Create_MissingRequiredFields_Returns400NamingEach()
    {
        // Arrange
        var before = (await _admin.GetApiAsync("/api/endpoints")).Ids();

        // Act
        var response = await _admin.SendRawAsync(HttpMethod.Post, "/api/endpoints", "{}");

        // Assert
        response.ShouldFail(HttpStatusCode.BadRequest).ShouldNameFields("name", "path", "method", "domain");
        (await _admin.GetApiAsync("/api/endpoints")).Ids().ShouldBe(before);
    }

    [Fact]
    public async Task Create_SeveralBadValues_OneResponseNamesEveryField()
    {
        // Arrange
        var before = (await _admin.GetApiAsync("/api/endpoints")).Ids();

        // Act
        var response = await _admin.PostApiAsync("/api/endpoints", new
        {
            name = Unique.Name("bad"),
            path = "no-leading-slash",
            method = "FETCH",
            domain = "*",
            timeout_ms = -5,
            max_body_bytes = -1,
        });

        // Assert
        response.ShouldFail(HttpStatusCode.BadRequest).ShouldNameFields("path", "method", "timeout_ms", "max_body_bytes");
        (await _admin.GetApiAsync("/api/endpoints")).Ids().ShouldBe(before);
    }

    [Fact]
    public async Task Create_WrongTypes_OneResponseNamesEveryField()
    {
        // Arrange
        var before = (await _admin.GetApiAsync("/api/endpoints")).Ids();
        var body = $$"""
            {"name": 42, "path": "{{Unique.Path("types")}}", "method": "GET", "domain": "*",
             "timeout_ms": "soon", "enabled": "yes", "max_body_bytes": [1]}
            """;

        // Act
        var response = await _admin.SendRawAsync(HttpMethod.Post, "/api/endpoints", body);

        // Assert
        response.ShouldFail(HttpStatusCode.BadRequest).ShouldNameFields("name", "timeout_ms", "enabled", "max_body_bytes");
        (await _admin.GetApiAsync("/api/endpoints")).Ids().ShouldBe(before);
    }

    [Theory]
    [InlineData("{\"name\": \"x\", ")]
    [InlineData("not json at all")]
    [InlineData("[1, 2, 3]")]
    [InlineData("")]
    public async Task Create_MalformedBody_Returns400AndStoresNothing(string raw)
    {
        // Arrange
        var before = (await _admin.GetApiAsync("/api/endpoints")).Ids();

        // Act
        var response = await _admin.SendRawAsync(HttpMethod.Post, "/api/endpoints", raw);

        // Assert
        response.ShouldFail(HttpStatusCode.BadRequest);
        (await _admin.GetApiAsync("/api/endpoints")).Ids().ShouldBe(before);
    }

    [Fact]
    public async Task Create_UnknownCollectionId_Returns400NamingIt()
    {
        // Arrange
        var before = (await _admin.GetApiAsync("/api/endpoints")).Ids();

        // Act
        var response = await _admin.CreateEndpointAsync(new EndpointSpec { Path = Unique.Path("nocol"), Code = Hello, CollectionId = MissingId });

        // Assert
        response.ShouldFail(HttpStatusCode.BadRequest).ShouldNameFields("collection_id");
        (await _admin.GetApiAsync("/api/endpoints")).Ids().ShouldBe(before);
    }

    [Theory]
    [InlineData("/users/{id")]
    [InlineData("/users/{}")]
    [InlineData("/users/{id}/{id}")]
    [InlineData("/a b")]
    public async Task Create_InvalidPathPattern_Returns400NamingPath(string path)
    {
        // Act
        var response = await _admin.CreateEndpointAsync(new EndpointSpec { Path = Unique.Path() + path, Code = Hello });

        // Assert
        response.ShouldFail(HttpStatusCode.BadRequest).ShouldNameFields("path");
    }

    [Fact]
    public async Task Create_DuplicateDomainMethodPath_Returns409()
    {
        // Arrange
        var path = Unique.Path("dup");
        (await _admin.CreateEndpointAsync(new EndpointSpec { Path = path, Code = Hello })).ShouldSucceed();
        var before = (await _admin.GetApiAsync("/api/endpoints")).Ids();

        // Act
        var second = await _admin.CreateEndpointAsync(new EndpointSpec { Path = path, Code = Hello, Method = "get" });

        // Assert
        second.ShouldFail(HttpStatusCode.Conflict);
        (await _admin.GetApiAsync("/api/endpoints")).Ids().ShouldBe(before);
    }

    [Fact]
    public async Task Create_SamePatternDifferentParamName_Returns409()
    {
        // Arrange
        var prefix = Unique.Path();
        (await _admin.CreateEndpointAsync(new EndpointSpec { Path = prefix + "/users/{id}", Code = Hello })).ShouldSucceed();

        // Act
        var second = await _admin.CreateEndpointAsync(new EndpointSpec { Path = prefix + "/users/{uid}", Code = Hello });

        // Assert
        second.ShouldFail(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Create_SamePathOtherMethodOrDomain_Succeeds()
    {
        // Arrange
        var path = Unique.Path("shared");
        (await _admin.CreateEndpointAsync(new EndpointSpec { Path = path, Code = Hello })).ShouldSucceed();

        // Act
        var otherMethod = await _admin.CreateEndpointAsync(new EndpointSpec { Path = path, Code = Hello, Method = "POST" });
        var otherDomain = await _admin.CreateEndpointAsync(new EndpointSpec { Path = path, Code = Hello, Domain = Unique.Host() });

        // Assert
        otherMethod.ShouldSucceed();
        otherDomain.ShouldSucceed();
    }

    [Fact]
    public async Task Update_OntoExistingRoute_Returns409AndKeepsOldPath()
    {
        // Arrange
        var taken = Unique.Path("taken");
        var free = Unique.Path("free");
        (await _admin.CreateEndpointAsync(new EndpointSpec { Path = taken, Code = Hello })).ShouldSucceed();
        var id = (await _admin.CreateEndpointAsync(new EndpointSpec { Path = free, Code = Hello })).ShouldSucceed().Id;

        // Act
        var response = await _admin.UpdateEndpointAsync(id, new { path = taken });

        // Assert
        response.ShouldFail(HttpStatusCode.Conflict);
        (await _admin.GetEndpointAsync(id)).ShouldSucceed().Data.Str("path").ShouldBe(free);
    }

    [Fact]
    public async Task Update_OnlyGivenFieldsChange()
    {
        // Arrange
        var path = Unique.Path("partial");
        var created = (await _admin.CreateEndpointAsync(new EndpointSpec { Path = path, Code = Hello, Description = "before", TimeoutMs = 5000 })).ShouldSucceed();

        // Act
        var updated = await _admin.UpdateEndpointAsync(created.Id, new { description = "after" });

        // Assert
        updated.ShouldSucceed();
        var e = (await _admin.GetEndpointAsync(created.Id)).ShouldSucceed().Data;
        e.Str("description").ShouldBe("after");
        e.Str("path").ShouldBe(path);
        e.Str("code").ShouldBe(Hello);
        e.Num("timeout_ms").ShouldBe(5000);
        e.Str("name").ShouldBe(created.Data.Str("name"));
        e.Num("revision").ShouldBe(created.Data.Num("revision"), "a change without code does not make a revision");
    }

    [Fact]
    public async Task Update_Code_IncrementsRevision()
    {
        // Arrange
        var created = (await _admin.CreateEndpointAsync(new EndpointSpec { Path = Unique.Path("rev"), Code = Hello })).ShouldSucceed();
        var revision = created.Data.Num("revision");

        // Act
        var updated = await _admin.UpdateEndpointAsync(created.Id, new { code = Hello.Replace("hello", "hello v2", StringComparison.Ordinal) });

        // Assert
        updated.ShouldSucceed();
        (await _admin.GetEndpointAsync(created.Id)).ShouldSucceed().Data.Num("revision").ShouldBe(revision + 1);
    }

    [Fact]
    public async Task Update_BadFields_Returns400AndChangesNothing()
    {
        // Arrange
        var created = (await _admin.CreateEndpointAsync(new EndpointSpec { Path = Unique.Path("keep"), Code = Hello })).ShouldSucceed();

        // Act
        var response = await _admin.SendRawAsync(HttpMethod.Put, $"/api/endpoints/{created.Id}", """{"method": "FETCH", "timeout_ms": "x", "description": "changed"}""");

        // Assert
        response.ShouldFail(HttpStatusCode.BadRequest).ShouldNameFields("method", "timeout_ms");
        var e = (await _admin.GetEndpointAsync(created.Id)).ShouldSucceed().Data;
        e.Str("method").ShouldBe("GET");
        e.Num("timeout_ms").ShouldBe(30000);
        e.GetProperty("description").ToString().ShouldNotBe("changed");
    }

    [Fact]
    public async Task List_FilteredByDomainCollectionAndEnabled_ReturnsMatchesOnly()
    {
        // Arrange
        var host = Unique.Host();
        var domainId = (await _admin.CreateDomainAsync(Unique.Name("dom"), host)).ShouldSucceed().Id;
        var col = (await _admin.CreateCollectionAsync(domainId, Unique.Name("col"))).ShouldSucceed().Id;
        var a = (await _admin.CreateEndpointAsync(new EndpointSpec { Path = Unique.Path("a"), Domain = host, CollectionId = col })).ShouldSucceed().Id;
        var b = (await _admin.CreateEndpointAsync(new EndpointSpec { Path = Unique.Path("b"), Domain = host, Enabled = false })).ShouldSucceed().Id;
        var c = (await _admin.CreateEndpointAsync(new EndpointSpec { Path = Unique.Path("c"), CollectionId = col, Enabled = false })).ShouldSucceed().Id;

        // Act
        var byDomain = await _admin.GetApiAsync($"/api/endpoints?domain={host}");
        var byCollection = await _admin.GetApiAsync($"/api/endpoints?collection_id={col}");
        var disabledInDomain = await _admin.GetApiAsync($"/api/endpoints?domain={host}&enabled=false");
        var enabledInCollection = await _admin.GetApiAsync($"/api/endpoints?collection_id={col}&enabled=true");

        // Assert
        byDomain.Ids().ShouldBe(Sorted(a, b));
        byCollection.Ids().ShouldBe(Sorted(a, c));
        disabledInDomain.Ids().ShouldBe([b]);
        enabledInCollection.Ids().ShouldBe([a]);
    }

    [Fact]
    public async Task List_FieldsSummary_NoCodeButItsSizeAndTheStatus()
    {
        // Arrange
        var host = Unique.Host();
        var code = Hello + "\n// " + new string('x', 5000);
        var id = (await _admin.CreateEndpointAsync(new EndpointSpec { Path = Unique.Path("sum"), Domain = host, Code = code })).ShouldSucceed().Id;

        // Act
        var summary = await _admin.GetApiAsync($"/api/endpoints?domain={host}&fields=summary");
        var full = await _admin.GetApiAsync($"/api/endpoints?domain={host}&fields=full");
        var bad = await _admin.GetApiAsync($"/api/endpoints?fields=everything");

        // Assert
        var item = summary.ShouldSucceed().Items.ShouldHaveSingleItem();
        item.Str("id").ShouldBe(id);
        item.Str("status").ShouldBe("created");
        item.Num("code_bytes").ShouldBe(code.Length);
        item.Num("draining").ShouldBe(0);
        item.TryGetProperty("code", out _).ShouldBeFalse();
        item.TryGetProperty("openapi", out _).ShouldBeFalse();
        summary.Body.Length.ShouldBeLessThan(1000);
        full.ShouldSucceed().Items.ShouldHaveSingleItem().Str("code").ShouldBe(code);
        bad.ShouldFail(HttpStatusCode.BadRequest).Error.ShouldBe("invalid request: fields: must be 'full' or 'summary', got 'everything'");
    }

    [Fact]
    public async Task Delete_Endpoint_ThenGetReturns404()
    {
        // Arrange
        var id = (await _admin.CreateEndpointAsync(new EndpointSpec { Path = Unique.Path("del"), Code = Hello })).ShouldSucceed().Id;

        // Act
        var deleted = await _admin.DeleteApiAsync($"/api/endpoints/{id}");

        // Assert
        ((int)deleted.Status).ShouldBeInRange(200, 299, deleted.ToString());
        (await _admin.GetEndpointAsync(id)).ShouldFail(HttpStatusCode.NotFound);
        (await _admin.GetApiAsync("/api/endpoints")).Ids().ShouldNotContain(id);
    }

    [Theory]
    [InlineData("GET", "")]
    [InlineData("PUT", "")]
    [InlineData("DELETE", "")]
    [InlineData("POST", "/compile")]
    [InlineData("POST", "/start")]
    [InlineData("POST", "/deploy")]
    [InlineData("POST", "/stop")]
    [InlineData("GET", "/logs")]
    public async Task UnknownId_Returns404(string method, string suffix)
    {
        // Act
        var response = method == "PUT"
            ? await _admin.PutApiAsync($"/api/endpoints/{MissingId}", new { description = "x" })
            : await _admin.SendApiAsync(new HttpMethod(method), $"/api/endpoints/{MissingId}{suffix}", null);

        // Assert
        response.ShouldFail(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Compile_ValidCode_ReturnsCompiledAndSetsStatus()
    {
        // Arrange
        var fresh = $$"""Response Handle(Context ctx, Request req) => Response.Ok(new { fresh = "{{Unique.Id()}}" });""";
        var id = (await _admin.CreateEndpointAsync(new EndpointSpec { Path = Unique.Path("c"), Code = fresh })).ShouldSucceed().Id;

        // Act
        var compiled = await _admin.CompileAsync(id);

        // Assert
        compiled.ShouldSucceed();
        compiled.Data.Str("status").ShouldBe("compiled");
        compiled.Data.Dbl("duration_ms").ShouldBeGreaterThanOrEqualTo(0);
        compiled.Data.Str("message").ShouldNotBeNull();
        compiled.Data.Num("revision").ShouldBeGreaterThanOrEqualTo(0);
        compiled.Data.Bool("cached").ShouldBeFalse("the source was never compiled before");
        var e = (await _admin.GetEndpointAsync(id)).ShouldSucceed().Data;
        e.Str("status").ShouldBe("compiled");
        e.Num("compiled_revision").ShouldBe(e.Num("revision"));
    }

    [Fact]
    public async Task Start_NeverCompiled_Returns409()
    {
        // Arrange
        var id = (await _admin.CreateEndpointAsync(new EndpointSpec { Path = Unique.Path("nc"), Code = Hello })).ShouldSucceed().Id;

        // Act
        var response = await _admin.StartEndpointAsync(id);

        // Assert
        response.ShouldFail(HttpStatusCode.Conflict);
        (await _admin.GetEndpointAsync(id)).ShouldSucceed().Data.Str("status").ShouldBe("created");
    }

    [Fact]
    public async Task CompileThenStart_Running_ServesRequests()
    {
        // Arrange
        var path = Unique.Path("cs");
        var id = (await _admin.CreateEndpointAsync(new EndpointSpec { Path = path, Code = Hello })).ShouldSucceed().Id;
        (await _admin.CompileAsync(id)).ShouldSucceed();

        // Act
        var started = await _admin.StartEndpointAsync(id);

        // Assert
        started.ShouldSucceed();
        started.Data.Str("status").ShouldBe("running");
        started.Data.Num("revision").ShouldBeGreaterThanOrEqualTo(0);
        var e = (await _admin.GetEndpointAsync(id)).ShouldSucceed().Data;
        e.Str("status").ShouldBe("running");
        e.Num("running_revision").ShouldBe(e.Num("revision"));
        using var response = await fixture.Edge.Gateway.GetAsync(path);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
    }

    [Fact]
    public async Task Deploy_ReturnsRunningWithRevisionAndDuration()
    {
        // Arrange
        var id = (await _admin.CreateEndpointAsync(new EndpointSpec { Path = Unique.Path("dp"), Code = Hello })).ShouldSucceed().Id;

        // Act
        var deployed = await _admin.DeployAsync(id);

        // Assert
        deployed.ShouldSucceed();
        deployed.Data.Str("status").ShouldBe("running");
        deployed.Data.Num("revision").ShouldBeGreaterThanOrEqualTo(0);
        deployed.Data.Dbl("duration_ms").ShouldBeGreaterThanOrEqualTo(0);
        deployed.Data.Bool("cached");
    }

    [Fact]
    public async Task Stop_RunningEndpoint_StatusStopped()
    {
        // Arrange
        var id = await _admin.DeployNewAsync(new EndpointSpec { Path = Unique.Path("st"), Code = Hello });

        // Act
        var stopped = await _admin.StopEndpointAsync(id);

        // Assert
        stopped.ShouldSucceed();
        stopped.Data.Str("status").ShouldBe("stopped");
        (await _admin.GetEndpointAsync(id)).ShouldSucceed().Data.Str("status").ShouldBe("stopped");
    }

    [Fact]
    public async Task Delete_RunningEndpoint_GatewayAnswers404()
    {
        // Arrange
        var path = Unique.Path("gone");
        var id = await _admin.DeployNewAsync(new EndpointSpec { Path = path, Code = Hello });

        // Act
        var deleted = await _admin.DeleteApiAsync($"/api/endpoints/{id}");

        // Assert
        ((int)deleted.Status).ShouldBeInRange(200, 299, deleted.ToString());
        using var response = await fixture.Edge.Gateway.GetAsync(path);
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound, await response.DescribeAsync());
    }

    [Fact]
    public async Task Logs_AfterDeploy_ContainsCompileEntry()
    {
        // Arrange
        var id = await _admin.DeployNewAsync(new EndpointSpec { Path = Unique.Path("lg"), Code = Hello });

        // Act
        var logs = await _admin.LogsAsync(id);

        // Assert
        logs.ShouldNotBeEmpty("a deploy writes its compile result to the endpoint log");
        logs.ShouldAllBe(l => l.Level == "info" || l.Level == "warning" || l.Level == "error");
    }

    [Fact]
    public async Task Logs_ManyLines_BoundedAndNewestLast()
    {
        // Arrange
        var path = Unique.Path("manylogs");
        var id = await _admin.DeployNewAsync(new EndpointSpec
        {
            Path = path,
            Code = """
                Response Handle(Context ctx, Request req)
                {
                    for (var i = 0; i < 3000; i++)
                    {
                        ctx.Log($"line-{i}");
                    }
                    return Response.Ok(new { done = true });
                }
                """,
        });

        // Act
        using var response = await fixture.Edge.Gateway.GetAsync(path);
        var logs = await _admin.LogsAsync(id);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        logs.Count.ShouldBeLessThan(3000, "the endpoint log is bounded");
        logs[^1].Message.ShouldContain("line-2999", Case.Sensitive, "newest last");
    }

    [Fact]
    public async Task Redeploy_ConcurrentFromSeveralClients_StateStaysConsistent()
    {
        // Arrange
        var path = Unique.Path("race");
        var id = await _admin.DeployNewAsync(new EndpointSpec { Path = path, Code = Text("r0") });
        var startRevision = (await _admin.GetEndpointAsync(id)).ShouldSucceed().Data.Num("revision");

        // Act
        var results = await Task.WhenAll(Enumerable.Range(1, 6).Select(async i =>
        {
            var updated = await _admin.UpdateEndpointAsync(id, new { code = Text($"r{i}") });
            var deployed = await _admin.DeployAsync(id);
            return (updated, deployed);
        }));
        var final = (await _admin.DeployAsync(id)).ShouldSucceed();

        // Assert
        foreach (var (updated, deployed) in results)
        {
            updated.ShouldSucceed();
            deployed.ShouldSucceed();
        }

        var endpoint = (await _admin.GetEndpointAsync(id)).ShouldSucceed().Data;
        endpoint.Num("revision").ShouldBe(startRevision + 6, "every code change made exactly one revision");
        endpoint.Num("running_revision").ShouldBe(endpoint.Num("revision"));
        endpoint.Str("status").ShouldBe("running");
        using var response = await fixture.Edge.Gateway.GetAsync(path);
        var served = await response.Content.ReadAsStringAsync();
        endpoint.Str("code").ShouldBe(Text(served), "the gateway serves the stored latest code");

        static string Text(string t) => $$"""Response Handle(Context ctx, Request req) => Response.Text(200, "{{t}}");""";
    }

    [Fact]
    public async Task Update_ConcurrentPartialUpdatesOfDifferentFields_NoneLost()
    {
        // Arrange: several rounds, each with five clients changing five different fields at once
        var lost = new List<string>();
        for (var round = 0; round < 8; round++)
        {
            var id = (await _admin.CreateEndpointAsync(new EndpointSpec { Path = Unique.Path("pu"), Code = Hello })).ShouldSucceed().Id;
            var name = Unique.Name("renamed");
            object[] changes =
            [
                new { description = $"d{round}" },
                new { timeout_ms = 1000 + round },
                new { drain_timeout_ms = 2000 + round },
                new { max_body_bytes = 3000 + round },
                new { name },
            ];

            // Act
            var responses = await Task.WhenAll(changes.Select(change => _admin.UpdateEndpointAsync(id, change)));

            // Assert
            responses.ShouldAllBe(r => r.IsSuccess());
            var e = (await _admin.GetEndpointAsync(id)).ShouldSucceed().Data;
            if (e.GetProperty("description").ToString() != $"d{round}") { lost.Add($"round {round}: description"); }
            if (e.Num("timeout_ms") != 1000 + round) { lost.Add($"round {round}: timeout_ms"); }
            if (e.Num("drain_timeout_ms") != 2000 + round) { lost.Add($"round {round}: drain_timeout_ms"); }
            if (e.Num("max_body_bytes") != 3000 + round) { lost.Add($"round {round}: max_body_bytes"); }
            if (e.Str("name") != name) { lost.Add($"round {round}: name"); }
        }

        lost.ShouldBeEmpty($"acknowledged PUTs overwritten by concurrent PUTs of other fields: {string.Join(", ", lost)}");
    }

    private static List<string> Sorted(params string[] ids) => [.. ids.Order(StringComparer.Ordinal)];
}
