using System.Net;
using System.Text.Json;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Handlers;

/// <summary>Compile results and diagnostics through the admin API.</summary>
[Collection(GatewayCollection.Name)]
public sealed class CompileTests(GatewayFixture fixture)
{
    private readonly EdgeProcess _edge = fixture.Edge;

    [Fact]
    public async Task Compile_TypeErrorOnLine3_Returns422WithLine3Column13()
    {
        // Arrange
        const string code = """
            Response Handle(Context ctx, Request req)
            {
                int x = "not a number";
                return Response.Ok(new { x });
            }
            """;
        var id = (await _edge.Admin.CreateEndpointAsync(new EndpointSpec { Path = Unique.Path("ce"), Code = code })).ShouldSucceed().Id;

        // Act
        var response = await _edge.Admin.CompileAsync(id);

        // Assert
        response.ShouldFail(HttpStatusCode.UnprocessableEntity);
        response.Error!.ShouldContain("CS0029");
        var diagnostic = FirstError(response);
        diagnostic.Num("line").ShouldBe(3, response.ToString());
        diagnostic.Num("column").ShouldBe(13, $"1-based column of the string literal: {response}");
        diagnostic.Str("severity").ShouldBe("error");
        diagnostic.Str("message").ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task Compile_ErrorOnFirstLine_ReportsLine1()
    {
        // Arrange
        const string code = "Response Handle(Context ctx, Request req) => Response.Ok(undefinedName);";
        var id = (await _edge.Admin.CreateEndpointAsync(new EndpointSpec { Path = Unique.Path("ce"), Code = code })).ShouldSucceed().Id;

        // Act
        var response = await _edge.Admin.CompileAsync(id);

        // Assert
        response.ShouldFail(HttpStatusCode.UnprocessableEntity);
        var diagnostic = FirstError(response);
        diagnostic.Num("line").ShouldBe(1, response.ToString());
        diagnostic.Num("column").ShouldBe(code.IndexOf("undefinedName", StringComparison.Ordinal) + 1, response.ToString());
        diagnostic.Str("message").ShouldContain("undefinedName");
    }

    [Fact]
    public async Task Compile_ErrorInsideClassForm_ReportsUserLine()
    {
        // Arrange
        const string code = """
            using System.Text;

            public class H
            {
                public Response Handle(Context ctx, Request req)
                {
                    var sb = new StringBuilder();
                    sb.AppendMissing("x");
                    return Response.Ok(new { s = sb.ToString() });
                }
            }
            """;
        var id = (await _edge.Admin.CreateEndpointAsync(new EndpointSpec { Path = Unique.Path("ce"), Code = code })).ShouldSucceed().Id;

        // Act
        var response = await _edge.Admin.CompileAsync(id);

        // Assert
        response.ShouldFail(HttpStatusCode.UnprocessableEntity);
        FirstError(response).Num("line").ShouldBe(8, response.ToString());
    }

    [Fact]
    public async Task Compile_SyntaxErrors_ReportsEveryError()
    {
        // Arrange
        const string code = """
            Response Handle(Context ctx, Request req)
            {
                var a = 1
                var b = ;
                return Response.Ok(new { a, b });
            }
            """;
        var id = (await _edge.Admin.CreateEndpointAsync(new EndpointSpec { Path = Unique.Path("ce"), Code = code })).ShouldSucceed().Id;

        // Act
        var response = await _edge.Admin.CompileAsync(id);

        // Assert
        response.ShouldFail(HttpStatusCode.UnprocessableEntity);
        var lines = Diagnostics(response).Where(d => d.Str("severity") == "error").Select(d => d.Num("line")).ToList();
        lines.ShouldContain(3);
        lines.ShouldContain(4);
    }

    [Fact]
    public async Task Compile_NoHandleMethod_Returns422()
    {
        // Arrange
        const string code = "Response Serve(Context ctx, Request req) => Response.Ok(new { a = 1 });";
        var id = (await _edge.Admin.CreateEndpointAsync(new EndpointSpec { Path = Unique.Path("ce"), Code = code })).ShouldSucceed().Id;

        // Act
        var response = await _edge.Admin.CompileAsync(id);

        // Assert
        response.ShouldFail(HttpStatusCode.UnprocessableEntity);
        response.Error!.ShouldContain("Handle");
    }

    [Fact]
    public async Task Compile_Failure_SetsStatusErrorWithLastError()
    {
        // Arrange
        var id = (await _edge.Admin.CreateEndpointAsync(new EndpointSpec { Path = Unique.Path("ce"), Code = "this is not C#" })).ShouldSucceed().Id;

        // Act
        (await _edge.Admin.CompileAsync(id)).ShouldFail(HttpStatusCode.UnprocessableEntity);
        var endpoint = (await _edge.Admin.GetEndpointAsync(id)).ShouldSucceed().Data;

        // Assert
        endpoint.Str("status").ShouldBe("error");
        endpoint.Str("last_error").ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task Deploy_CompileError_Returns422AndPreviousVersionKeepsServing()
    {
        // Arrange
        var path = Unique.Path("keep");
        var id = await _edge.Admin.DeployNewAsync(new EndpointSpec
        {
            Path = path,
            Code = """Response Handle(Context ctx, Request req) => Response.Text(200, "v1");""",
        });
        (await _edge.Admin.UpdateEndpointAsync(id, new
        {
            code = """
                Response Handle(Context ctx, Request req)
                {
                    return Response.Text(200, v2);
                }
                """,
        })).ShouldSucceed();

        // Act
        var deploy = await _edge.Admin.DeployAsync(id);

        // Assert
        deploy.ShouldFail(HttpStatusCode.UnprocessableEntity);
        FirstError(deploy).Num("line").ShouldBe(3, deploy.ToString());
        for (var i = 0; i < 3; i++)
        {
            using var response = await _edge.Gateway.GetAsync(path);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
            (await response.Content.ReadAsStringAsync()).ShouldBe("v1");
        }

        var endpoint = (await _edge.Admin.GetEndpointAsync(id)).ShouldSucceed().Data;
        endpoint.Num("running_revision").ShouldBeLessThan(endpoint.Num("revision"), "the broken revision is not the running one");
    }

    [Fact]
    public async Task Compile_SameSourceTwice_SecondIsCached()
    {
        // Arrange
        var marker = Unique.Id();
        var code = $$"""Response Handle(Context ctx, Request req) => Response.Ok(new { marker = "{{marker}}" });""";
        var id = (await _edge.Admin.CreateEndpointAsync(new EndpointSpec { Path = Unique.Path("cache"), Code = code })).ShouldSucceed().Id;
        var first = (await _edge.Admin.CompileAsync(id)).ShouldSucceed();

        // Act
        var second = (await _edge.Admin.CompileAsync(id)).ShouldSucceed();

        // Assert
        first.Data.Bool("cached").ShouldBeFalse(first.ToString());
        second.Data.Bool("cached").ShouldBeTrue(second.ToString());
    }

    [Fact]
    public async Task Compile_SmallHandlerWarm_Under1Second()
    {
        // Arrange: one compile first so Roslyn is warm
        var warm = (await _edge.Admin.CreateEndpointAsync(new EndpointSpec { Path = Unique.Path("warm"), Code = $$"""Response Handle(Context ctx, Request req) => Response.Ok(new { w = "{{Unique.Id()}}" });""" })).ShouldSucceed().Id;
        (await _edge.Admin.CompileAsync(warm)).ShouldSucceed();
        var id = (await _edge.Admin.CreateEndpointAsync(new EndpointSpec { Path = Unique.Path("warm"), Code = $$"""Response Handle(Context ctx, Request req) => Response.Ok(new { w = "{{Unique.Id()}}" });""" })).ShouldSucceed().Id;

        // Act
        var compiled = (await _edge.Admin.CompileAsync(id)).ShouldSucceed();

        // Assert
        compiled.Data.Dbl("duration_ms").ShouldBeLessThan(1000, compiled.ToString());
    }

    private static IReadOnlyList<JsonElement> Diagnostics(ApiResponse response)
    {
        response.Data.ValueKind.ShouldBe(JsonValueKind.Object, $"no data object in {response}");
        response.Data.TryGetProperty("diagnostics", out var list).ShouldBeTrue($"no data.diagnostics in {response}");
        list.ValueKind.ShouldBe(JsonValueKind.Array, response.ToString());
        list.GetArrayLength().ShouldBeGreaterThan(0, response.ToString());
        return [.. list.EnumerateArray()];
    }

    private static JsonElement FirstError(ApiResponse response) =>
        Diagnostics(response).FirstOrDefault(d => d.Str("severity") == "error") is { ValueKind: JsonValueKind.Object } e
            ? e
            : throw new ShouldAssertException($"no error diagnostic in {response}");
}
