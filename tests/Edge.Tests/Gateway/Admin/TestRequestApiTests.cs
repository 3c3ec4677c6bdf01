using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Admin;

[Collection(GatewayCollection.Name)]
public sealed class TestRequestApiTests(GatewayFixture fixture)
{
    private const string Echo = """
        Response Handle(Context ctx, Request req) => Response.Ok(new
        {
            method = req.Method,
            q = req.QueryParam("q"),
            tag = req.QueryParam("tag"),
            flavour = req.Header("X-Flavour"),
            host = req.Header("Host"),
            body = req.Body,
            type = req.ContentType,
            bytes = req.BodyBytes.Length,
        });
        """;

    private readonly EdgeProcess _edge = fixture.Edge;

    [Fact]
    public async Task TestRequest_Get_SendsQueryHeadersAndHostAndShowsTheAnswer()
    {
        // Arrange
        var path = Unique.Path("try");
        await _edge.Admin.DeployNewAsync(new EndpointSpec { Path = path, Code = Echo });

        // Act
        var answer = (await _edge.Admin.PostApiAsync("/api/test-request", new
        {
            method = "GET",
            path,
            query = new Dictionary<string, object> { ["q"] = "hello world&more", ["tag"] = new[] { "a", "b" } },
            headers = new Dictionary<string, string> { ["X-Flavour"] = "mint" },
            host = "api.example.test",
        })).ShouldSucceed().Data;

        // Assert
        answer.Num("status").ShouldBe(200);
        answer.Str("content_type").ShouldStartWith("application/json");
        answer.GetProperty("headers").Str("x-request-id").ShouldNotBeNullOrEmpty();
        answer.Dbl("duration_ms").ShouldBeGreaterThan(0);
        answer.Bool("truncated").ShouldBeFalse();
        var text = answer.Str("body_text");
        answer.Num("size").ShouldBe(Encoding.UTF8.GetByteCount(text));
        Encoding.UTF8.GetString(Convert.FromBase64String(answer.Str("body_base64"))).ShouldBe(text);
        using var echoed = System.Text.Json.JsonDocument.Parse(text);
        var seen = echoed.RootElement;
        seen.Str("method").ShouldBe("GET");
        seen.Str("q").ShouldBe("hello world&more");
        seen.Str("tag").ShouldBe("a");
        seen.Str("flavour").ShouldBe("mint");
        seen.Str("host").ShouldBe("api.example.test");
    }

    [Fact]
    public async Task TestRequest_PostBodies_TextAndBase64ReachTheHandler()
    {
        // Arrange
        var path = Unique.Path("try-post");
        await _edge.Admin.DeployNewAsync(new EndpointSpec { Path = path, Method = "POST", Code = Echo });

        // Act
        var text = (await _edge.Admin.PostApiAsync("/api/test-request", new
        {
            method = "post",
            path,
            body = """{"name":"Ada"}""",
            headers = new Dictionary<string, string> { ["Content-Type"] = "application/json" },
        })).ShouldSucceed().Data;
        var binary = (await _edge.Admin.PostApiAsync("/api/test-request", new
        {
            method = "POST",
            path,
            body_base64 = Convert.ToBase64String([0xff, 0x00, 0x10]),
            headers = new Dictionary<string, string> { ["Content-Type"] = "application/octet-stream" },
        })).ShouldSucceed().Data;

        // Assert
        using var echoed = System.Text.Json.JsonDocument.Parse(text.Str("body_text"));
        echoed.RootElement.Str("body").ShouldBe("""{"name":"Ada"}""");
        echoed.RootElement.Str("type").ShouldBe("application/json");
        binary.Str("body_text").ShouldContain("\"bytes\":3");
    }

    [Fact]
    public async Task TestRequest_LargeOrBinaryAnswer_CappedAndBase64Only()
    {
        // Arrange
        var big = Unique.Path("try-big");
        await _edge.Admin.DeployNewAsync(new EndpointSpec { Path = big, Code = """Response Handle(Context ctx, Request req) => Response.Text(200, new string('x', 1536 * 1024));""" });
        var binary = Unique.Path("try-bin");
        await _edge.Admin.DeployNewAsync(new EndpointSpec { Path = binary, Code = """Response Handle(Context ctx, Request req) => Response.Binary(200, new byte[] { 0xff, 0xfe, 0x00 }, "application/octet-stream");""" });

        // Act
        var capped = (await _edge.Admin.PostApiAsync("/api/test-request", new { method = "GET", path = big })).ShouldSucceed().Data;
        var bytes = (await _edge.Admin.PostApiAsync("/api/test-request", new { method = "GET", path = binary })).ShouldSucceed().Data;

        // Assert
        capped.Bool("truncated").ShouldBeTrue();
        capped.Num("size").ShouldBe(1536 * 1024);
        Convert.FromBase64String(capped.Str("body_base64")).Length.ShouldBe(1024 * 1024);
        capped.Str("body_text").Length.ShouldBe(1024 * 1024);
        Convert.FromBase64String(bytes.Str("body_base64")).ShouldBe(new byte[] { 0xff, 0xfe, 0x00 });
        bytes.GetProperty("body_text").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        bytes.Str("content_type").ShouldBe("application/octet-stream");
    }

    [Fact]
    public async Task TestRequest_PathNamingAnotherHost_StaysOnThisGateway()
    {
        // Act
        var answer = (await _edge.Admin.PostApiAsync("/api/test-request", new { method = "GET", path = "//example.com/x" })).ShouldSucceed().Data;

        // Assert
        answer.Num("status").ShouldBe(404);
        answer.Str("body_text").ShouldContain("no route for GET //example.com/x");
    }

    [Fact]
    public async Task TestRequest_BadInput_400NamesEveryField()
    {
        // Act
        var answer = await _edge.Admin.PostApiAsync("/api/test-request", new
        {
            method = "BREW",
            path = "no-slash",
            headers = new Dictionary<string, string> { ["Host"] = "x", ["Bad Name"] = "y" },
            body = "a",
            body_base64 = "YQ==",
            query = new Dictionary<string, object> { ["n"] = 1 },
        });

        // Assert
        answer.ShouldFail(HttpStatusCode.BadRequest).ShouldNameFields("method", "path", "headers", "body", "query");
        answer.Error!.ShouldContain("use the host field");
    }

    [Fact]
    public async Task TestRequest_ReadOnlyKey_403NamesEndpointsWrite()
    {
        // Arrange
        var key = (await _edge.Admin.PostApiAsync("/api/admin-keys", new { name = Unique.Name("reader"), scopes = new[] { "endpoints:read" } })).ShouldSucceed().Data.Str("key");
        using var reader = new HttpClient { BaseAddress = _edge.AdminBase };
        reader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

        // Act
        var answer = await reader.PostApiAsync("/api/test-request", new { method = "GET", path = "/" });

        // Assert
        answer.ShouldFail(HttpStatusCode.Forbidden).Error!.ShouldContain("endpoints:write");
    }

    [Fact]
    public async Task TestRequest_TlsOnlyGateway_GoesOverHttps()
    {
        // Arrange
        using var dir = new TempDir();
        var ca = TestCertificates.CreateCa("test-request CA");
        var (cert, key) = TestCertificates.WritePem(TestCertificates.CreateServer(ca), dir.Path, "server");
        await using var edge = await EdgeProcess.StartAsync(new EdgeProcessOptions { ExtraArgs = ["--tls-cert", cert, "--tls-key", key], GatewayTls = true, TrustedCa = ca });
        var path = Unique.Path("try-tls");
        await edge.Admin.DeployNewAsync(new EndpointSpec { Path = path, Code = """Response Handle(Context ctx, Request req) => Response.Text(200, req.Header("X-Forwarded-Proto") ?? "direct");""" });

        // Act
        var answer = (await edge.Admin.PostApiAsync("/api/test-request", new { method = "GET", path })).ShouldSucceed().Data;
        var refused = await edge.Admin.PostApiAsync("/api/test-request", new { method = "GET", path = "/nothing" });

        // Assert: the gateway port speaks only TLS, so any HTTP answer at all came over HTTPS.
        answer.Num("status").ShouldBe(200);
        answer.Str("body_text").ShouldBe("direct");
        answer.GetProperty("headers").Str("x-request-id").ShouldNotBeNullOrEmpty();
        refused.ShouldSucceed().Data.Num("status").ShouldBe(404);
    }

    [Fact]
    public async Task TestRequest_GatewayRefusesTheConnection_502WithTheReason()
    {
        // Arrange: one gateway connection at most, held by this test, so the admin server's is closed on accept.
        await using var edge = await EdgeProcess.StartAsync(new EdgeProcessOptions { ExtraArgs = ["--max-connections", "1"] });
        using var holder = new TcpClient();
        await holder.ConnectAsync(IPAddress.Loopback, edge.Port);
        await Task.Delay(200);

        // Act
        var answer = await edge.Admin.PostApiAsync("/api/test-request", new { method = "GET", path = "/" });

        // Assert
        answer.Status.ShouldBe(HttpStatusCode.BadGateway, edge.StdOut);
        answer.Error!.ShouldContain($"the gateway at http://127.0.0.1:{edge.Port} is unreachable");
    }
}
