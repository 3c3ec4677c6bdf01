using System.Net;
using System.Text;
using Edge.Tests.Common;

namespace Edge.Tests.Sdk;

/// <summary>The <c>Request</c> SDK as a handler sees it, through the real gateway.</summary>
[Collection(GatewayCollection.Name)]
public sealed class RequestTests(GatewayFixture fixture)
{
    private readonly EdgeProcess _edge = fixture.Edge;

    [Fact]
    public async Task RequirePathParam_Long_ReturnsValue()
    {
        // Arrange
        var prefix = await DeployAsync("/users/{id}", """
            Response Handle(Context ctx, Request req)
            {
                var id = req.RequirePathParam<long>("id");
                return Response.Ok(new { id, path = req.Path, method = req.Method });
            }
            """);

        // Act
        using var response = await _edge.Gateway.GetAsync(prefix + "/users/9000000000");

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
        var body = await response.JsonAsync();
        body.Num("id").ShouldBe(9000000000L);
        body.Str("path").ShouldBe(prefix + "/users/9000000000");
        body.Str("method").ShouldBe("GET");
    }

    [Fact]
    public async Task RequirePathParam_NotALong_Returns400NamingParam()
    {
        // Arrange
        var prefix = await DeployAsync("/users/{id}", """
            Response Handle(Context ctx, Request req) => Response.Ok(new { id = req.RequirePathParam<long>("id") });
            """);

        // Act
        using var response = await _edge.Gateway.GetAsync(prefix + "/users/abc");

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, await response.DescribeAsync());
        (await response.JsonAsync()).Str("error").ShouldContain("id");
    }

    [Fact]
    public async Task PathParam_SeveralParams_AllExtracted()
    {
        // Arrange
        var prefix = await DeployAsync("/orgs/{org}/users/{user_id}", """
            Response Handle(Context ctx, Request req) =>
                Response.Ok(new { org = req.PathParam("org"), user = req.PathParam<int>("user_id"), count = req.Params.Count });
            """);

        // Act
        using var response = await _edge.Gateway.GetAsync(prefix + "/orgs/acme/users/17");

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
        var body = await response.JsonAsync();
        body.Str("org").ShouldBe("acme");
        body.Num("user").ShouldBe(17);
        body.Num("count").ShouldBe(2);
    }

    [Fact]
    public async Task QueryParam_Typed_ParsesOrReturnsNull()
    {
        // Arrange
        var prefix = await DeployAsync("/q", """
            Response Handle(Context ctx, Request req) => Response.Ok(new
            {
                page = req.QueryParam<int>("page"),
                active = req.QueryParam<bool>("active"),
                ratio = req.QueryParam<double>("ratio"),
                when = req.QueryParam<Guid>("guid"),
                q = req.QueryParam("q"),
                missing = req.QueryParam<int>("missing"),
            });
            """);

        // Act
        using var good = await _edge.Gateway.GetAsync(prefix + "/q?page=3&active=true&ratio=0.5&guid=6f9619ff-8b86-d011-b42d-00cf4fc964ff&q=hello%20world");
        using var bad = await _edge.Gateway.GetAsync(prefix + "/q?page=three&active=maybe");

        // Assert
        good.StatusCode.ShouldBe(HttpStatusCode.OK, await good.DescribeAsync());
        var g = await good.JsonAsync();
        g.Num("page").ShouldBe(3);
        g.Bool("active").ShouldBeTrue();
        g.GetProperty("ratio").GetDouble().ShouldBe(0.5);
        g.Str("when").ShouldBe("6f9619ff-8b86-d011-b42d-00cf4fc964ff");
        g.Str("q").ShouldBe("hello world");
        g.GetProperty("missing").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        bad.StatusCode.ShouldBe(HttpStatusCode.OK, await bad.DescribeAsync());
        var b = await bad.JsonAsync();
        b.GetProperty("page").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null, "unparsable → null");
        b.GetProperty("active").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
    }

    [Fact]
    public async Task RequireQueryParam_MissingOrInvalid_Returns400NamingParam()
    {
        // Arrange
        var prefix = await DeployAsync("/rq", """
            Response Handle(Context ctx, Request req) => Response.Ok(new { limit = req.RequireQueryParam<int>("limit") });
            """);

        // Act
        using var missing = await _edge.Gateway.GetAsync(prefix + "/rq");
        using var invalid = await _edge.Gateway.GetAsync(prefix + "/rq?limit=lots");
        using var valid = await _edge.Gateway.GetAsync(prefix + "/rq?limit=25");

        // Assert
        missing.StatusCode.ShouldBe(HttpStatusCode.BadRequest, await missing.DescribeAsync());
        (await missing.JsonAsync()).Str("error").ShouldContain("limit");
        invalid.StatusCode.ShouldBe(HttpStatusCode.BadRequest, await invalid.DescribeAsync());
        (await invalid.JsonAsync()).Str("error").ShouldContain("limit");
        valid.StatusCode.ShouldBe(HttpStatusCode.OK, await valid.DescribeAsync());
        (await valid.JsonAsync()).Num("limit").ShouldBe(25);
    }

    [Theory]
    [InlineData("""{"name":"ann","count":3}""", "ann", 3)]
    [InlineData("""{"Name":"bob","COUNT":4}""", "bob", 4)]
    public async Task Json_CamelCaseOrAnyCase_Binds(string body, string name, int count)
    {
        // Arrange
        var prefix = await DeployAsync("/json", """
            Response Handle(Context ctx, Request req)
            {
                var p = req.Json<Payload>();
                return Response.Ok(p);
            }

            record Payload(string Name, int Count);
            """, "POST");

        // Act
        using var response = await _edge.Gateway.SendAsync(HttpMethod.Post, prefix + "/json", body);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
        var text = await response.Content.ReadAsStringAsync();
        text.ShouldContain("\"name\"", Case.Sensitive, "responses are serialised camelCase");
        var json = await response.JsonAsync();
        json.Str("name").ShouldBe(name);
        json.Num("count").ShouldBe(count);
    }

    [Theory]
    [InlineData("""{"name":"ann","count":""")]
    [InlineData("""{"name":"ann","count":"many"}""")]
    [InlineData("""not json""")]
    [InlineData("")]
    public async Task Json_MalformedOrMistyped_Returns400(string body)
    {
        // Arrange
        var prefix = await DeployAsync("/json", """
            Response Handle(Context ctx, Request req) => Response.Ok(req.Json<Payload>());

            record Payload(string Name, int Count);
            """, "POST");

        // Act
        using var response = await _edge.Gateway.SendAsync(HttpMethod.Post, prefix + "/json", body);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, await response.DescribeAsync());
        (await response.JsonAsync()).Str("error").ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task Headers_LookupIsCaseInsensitive()
    {
        // Arrange
        var prefix = await DeployAsync("/h", """
            Response Handle(Context ctx, Request req) => Response.Ok(new
            {
                a = req.Header("X-Custom-Thing"),
                b = req.Headers.ContainsKey("x-custom-thing"),
                missing = req.Header("X-Not-There"),
            });
            """);
        using var request = new HttpRequestMessage(HttpMethod.Get, prefix + "/h");
        request.Headers.Add("x-CUSTOM-thing", "v42");

        // Act
        using var response = await _edge.Gateway.SendAsync(request);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
        var body = await response.JsonAsync();
        body.Str("a").ShouldBe("v42");
        body.Bool("b").ShouldBeTrue("Headers is case-insensitive");
        body.GetProperty("missing").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
    }

    [Fact]
    public async Task RequireHeader_Missing_Returns400NamingHeader()
    {
        // Arrange
        var prefix = await DeployAsync("/rh", """
            Response Handle(Context ctx, Request req) => Response.Ok(new { key = req.RequireHeader("X-Api-Key") });
            """);

        // Act
        using var response = await _edge.Gateway.GetAsync(prefix + "/rh");

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, await response.DescribeAsync());
        (await response.JsonAsync()).Str("error").ShouldContain("X-Api-Key", Case.Insensitive);
    }

    [Fact]
    public async Task BodyAndBodyBytes_RoundTrip()
    {
        // Arrange
        var prefix = await DeployAsync("/body", """
            Response Handle(Context ctx, Request req) => Response.Ok(new
            {
                body = req.Body,
                length = req.BodyBytes.Length,
                contentType = req.ContentType,
                isJson = req.IsJson,
                isPost = req.IsMethod("post"),
            });
            """, "POST");
        const string payload = "héllo wörld";

        // Act
        using var response = await _edge.Gateway.SendAsync(HttpMethod.Post, prefix + "/body", payload, "text/plain; charset=utf-8");

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
        var body = await response.JsonAsync();
        body.Str("body").ShouldBe(payload);
        body.Num("length").ShouldBe(Encoding.UTF8.GetByteCount(payload));
        body.Str("contentType").ShouldStartWith("text/plain");
        body.Bool("isJson").ShouldBeFalse();
        body.Bool("isPost").ShouldBeTrue();
    }

    [Fact]
    public async Task ClientIpAndRequestId_AreSet()
    {
        // Arrange
        var prefix = await DeployAsync("/who", """
            Response Handle(Context ctx, Request req) => Response.Ok(new { ip = req.ClientIp, rid = req.RequestId });
            """);

        // Act
        using var response = await _edge.Gateway.GetAsync(prefix + "/who");

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
        var body = await response.JsonAsync();
        body.Str("ip").ShouldBe("127.0.0.1");
        body.Str("rid").ShouldBe(response.Header("x-request-id"));
    }

    [Fact]
    public async Task Multipart_FieldsAndFiles_Parsed()
    {
        // Arrange
        var prefix = await DeployAsync("/upload", """
            Response Handle(Context ctx, Request req)
            {
                var form = req.Multipart();
                var file = form.RequireFile("doc");
                return Response.Ok(new
                {
                    title = form.RequireField("title"),
                    fileName = file.FileName,
                    type = file.ContentType,
                    size = file.Data.Length,
                    isMultipart = req.IsMultipart,
                });
            }
            """, "POST");
        using var content = new MultipartFormDataContent();
        content.Add(new StringContent("report"), "title");
        var bytes = new ByteArrayContent([1, 2, 3, 0, 255]);
        bytes.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/pdf");
        content.Add(bytes, "doc", "r.pdf");

        // Act
        using var response = await _edge.Gateway.PostAsync(prefix + "/upload", content);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
        var body = await response.JsonAsync();
        body.Str("title").ShouldBe("report");
        body.Str("fileName").ShouldBe("r.pdf");
        body.Str("type").ShouldBe("application/pdf");
        body.Num("size").ShouldBe(5);
        body.Bool("isMultipart").ShouldBeTrue();
    }

    private async Task<string> DeployAsync(string pattern, string code, string method = "GET")
    {
        var prefix = Unique.Path();
        await _edge.Admin.DeployNewAsync(new EndpointSpec { Path = prefix + pattern, Code = code, Method = method });
        return prefix;
    }
}
