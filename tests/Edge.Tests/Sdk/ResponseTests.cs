using System.Net;
using System.Text;
using Edge.Tests.Common;

namespace Edge.Tests.Sdk;

/// <summary>The <c>Response</c> and <c>HandlerError</c> SDK as the client sees it on the wire.</summary>
[Collection(GatewayCollection.Name)]
public sealed class ResponseTests(GatewayFixture fixture)
{
    private readonly EdgeProcess _edge = fixture.Edge;

    [Fact]
    public async Task Ok_Hello_ReturnsJson()
    {
        // Arrange
        var path = await DeployAsync("""Response Handle(Context ctx, Request req) => Response.Ok(new { message = "hello" });""");

        // Act
        using var response = await _edge.Gateway.GetAsync(path);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/json");
        (await response.Content.ReadAsStringAsync()).ShouldBe("""{"message":"hello"}""");
    }

    [Fact]
    public async Task Binary_AllByteValues_RawBytesOnTheWire()
    {
        // Arrange
        var path = await DeployAsync("""
            Response Handle(Context ctx, Request req) =>
                Response.Binary(200, Enumerable.Range(0, 256).Select(i => (byte)i).ToArray(), "application/octet-stream");
            """);

        // Act
        using var response = await _edge.Gateway.GetAsync(path);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/octet-stream");
        var bytes = await response.Content.ReadAsByteArrayAsync();
        bytes.Length.ShouldBe(256, "raw bytes, not base64");
        bytes.ShouldBe(Enumerable.Range(0, 256).Select(i => (byte)i).ToArray());
    }

    [Fact]
    public async Task Binary_Png_KeepsContentType()
    {
        // Arrange
        var path = await DeployAsync("""
            Response Handle(Context ctx, Request req) => Response.Binary(200, new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, "image/png");
            """);

        // Act
        using var response = await _edge.Gateway.GetAsync(path);

        // Assert
        response.Content.Headers.ContentType?.MediaType.ShouldBe("image/png");
        (await response.Content.ReadAsByteArrayAsync()).ShouldBe(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A });
    }

    [Fact]
    public async Task Text_ReturnsPlainTextUtf8()
    {
        // Arrange
        var path = await DeployAsync("""Response Handle(Context ctx, Request req) => Response.Text(201, "plain ünïcode");""");

        // Act
        using var response = await _edge.Gateway.GetAsync(path);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("text/plain");
        Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync()).ShouldBe("plain ünïcode");
    }

    [Fact]
    public async Task Html_ReturnsTextHtml()
    {
        // Arrange
        var path = await DeployAsync("""Response Handle(Context ctx, Request req) => Response.Html(200, "<h1>hi</h1>");""");

        // Act
        using var response = await _edge.Gateway.GetAsync(path);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("text/html");
        (await response.Content.ReadAsStringAsync()).ShouldBe("<h1>hi</h1>");
    }

    [Fact]
    public async Task WithHeaderCorsCache_HeadersOnTheWire()
    {
        // Arrange
        var path = await DeployAsync("""
            Response Handle(Context ctx, Request req) =>
                Response.Ok(new { a = 1 }).WithHeader("X-Custom", "yes").WithCors("https://app.test").WithCache(60);
            """);

        // Act
        using var response = await _edge.Gateway.GetAsync(path);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Header("X-Custom").ShouldBe("yes");
        response.Header("Access-Control-Allow-Origin").ShouldBe("https://app.test");
        response.Header("Cache-Control").ShouldNotBeNull().ShouldContain("max-age=60");
    }

    [Theory]
    [InlineData("Response.Created(new { id = 1 })", 201)]
    [InlineData("Response.Accepted(new { queued = true })", 202)]
    [InlineData("Response.BadRequest(\"nope\")", 400)]
    [InlineData("Response.Unauthorized(\"who\")", 401)]
    [InlineData("Response.Forbidden(\"no\")", 403)]
    [InlineData("Response.NotFound(\"none\")", 404)]
    [InlineData("Response.Conflict(\"clash\")", 409)]
    [InlineData("Response.InternalError(\"oops\")", 500)]
    [InlineData("Response.ServiceUnavailable(\"later\")", 503)]
    [InlineData("Response.Json(418, new { teapot = true })", 418)]
    [InlineData("new Response(299)", 299)]
    public async Task Factory_ReturnsItsStatus(string expression, int status)
    {
        // Arrange
        var path = await DeployAsync($"Response Handle(Context ctx, Request req) => {expression};");

        // Act
        using var response = await _edge.Gateway.GetAsync(path);

        // Assert
        ((int)response.StatusCode).ShouldBe(status, await response.DescribeAsync());
    }

    [Fact]
    public async Task NoContent_Returns204WithEmptyBody()
    {
        // Arrange
        var path = await DeployAsync("Response Handle(Context ctx, Request req) => Response.NoContent();");

        // Act
        using var response = await _edge.Gateway.GetAsync(path);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await response.Content.ReadAsByteArrayAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task Redirect_SetsLocation()
    {
        // Arrange
        var path = await DeployAsync("""Response Handle(Context ctx, Request req) => Response.Redirect(302, "/elsewhere");""");

        // Act
        using var response = await _edge.Gateway.GetAsync(path);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.Found);
        response.Headers.Location?.OriginalString.ShouldBe("/elsewhere");
    }

    [Fact]
    public async Task ErrorFactory_BodyIsErrorJson()
    {
        // Arrange
        var path = await DeployAsync("""Response Handle(Context ctx, Request req) => Response.NotFound("no such thing");""");

        // Act
        using var response = await _edge.Gateway.GetAsync(path);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await response.JsonAsync()).Str("error").ShouldBe("no such thing");
    }

    [Fact]
    public async Task HandlerErrorConflict_Returns409WithMessage()
    {
        // Arrange
        var path = await DeployAsync("""Response Handle(Context ctx, Request req) => throw HandlerError.Conflict("x");""");

        // Act
        using var response = await _edge.Gateway.GetAsync(path);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.Conflict, await response.DescribeAsync());
        (await response.JsonAsync()).Str("error").ShouldBe("x");
    }

    [Theory]
    [InlineData("HandlerError.BadRequest(\"m\")", 400)]
    [InlineData("HandlerError.ValidationError(\"m\")", 400)]
    [InlineData("HandlerError.Unauthorized(\"m\")", 401)]
    [InlineData("HandlerError.Forbidden(\"m\")", 403)]
    [InlineData("HandlerError.NotFound(\"m\")", 404)]
    [InlineData("HandlerError.NotFound()", 404)]
    [InlineData("HandlerError.MethodNotAllowed(\"m\")", 405)]
    [InlineData("HandlerError.PayloadTooLarge(\"m\")", 413)]
    [InlineData("HandlerError.Internal(\"m\")", 500)]
    [InlineData("HandlerError.ServiceUnavailable(\"m\")", 503)]
    public async Task HandlerError_ThrownFromHelper_BecomesItsStatus(string factory, int status)
    {
        // Arrange
        var path = await DeployAsync($$"""
            async Task<Response> Handle(Context ctx, Request req)
            {
                await Task.Yield();
                Fail();
                return Response.Ok(new { unreachable = true });
            }

            static void Fail() => throw {{factory}};
            """);

        // Act
        using var response = await _edge.Gateway.GetAsync(path);

        // Assert
        ((int)response.StatusCode).ShouldBe(status, await response.DescribeAsync());
        (await response.JsonAsync()).Str("error").ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task HandlerError_StatusCodeAndToResponse_Usable()
    {
        // Arrange
        var path = await DeployAsync("""
            Response Handle(Context ctx, Request req)
            {
                var e = HandlerError.Forbidden("nope");
                return e.StatusCode == 403 ? e.ToResponse() : Response.Ok(new { wrong = e.StatusCode });
            }
            """);

        // Act
        using var response = await _edge.Gateway.GetAsync(path);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden, await response.DescribeAsync());
        (await response.JsonAsync()).Str("error").ShouldBe("nope");
    }

    private async Task<string> DeployAsync(string code)
    {
        var path = Unique.Path("r");
        await _edge.Admin.DeployNewAsync(new EndpointSpec { Path = path, Code = code });
        return path;
    }
}
