using System.Net;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Handlers;

/// <summary><c>x-request-id</c> on every gateway response: generated, or a well-formed incoming one kept.</summary>
[Collection(GatewayCollection.Name)]
public sealed class RequestIdTests(GatewayFixture fixture)
{
    private const string EchoId = """Response Handle(Context ctx, Request req) => Response.Text(200, req.RequestId);""";
    private readonly EdgeProcess _edge = fixture.Edge;

    [Fact]
    public async Task Response_NoIncomingId_GeneratesOneSeenByHandler()
    {
        // Arrange
        var path = Unique.Path("rid");
        await _edge.Admin.DeployNewAsync(new EndpointSpec { Path = path, Code = EchoId });

        // Act
        using var first = await _edge.Gateway.GetAsync(path);
        using var second = await _edge.Gateway.GetAsync(path);

        // Assert
        var id1 = first.Header("x-request-id");
        id1.ShouldNotBeNullOrWhiteSpace();
        (await first.Content.ReadAsStringAsync()).ShouldBe(id1);
        second.Header("x-request-id").ShouldNotBe(id1, "each request gets its own id");
    }

    [Theory]
    [InlineData("abc-123")]
    [InlineData("0f8fad5b-d9cb-469f-a165-70867728950e")]
    [InlineData("Req_0042-x")]
    public async Task Response_WellFormedIncomingId_Kept(string incoming)
    {
        // Arrange
        var path = Unique.Path("rid");
        await _edge.Admin.DeployNewAsync(new EndpointSpec { Path = path, Code = EchoId });
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("x-request-id", incoming);

        // Act
        using var response = await _edge.Gateway.SendAsync(request);

        // Assert
        response.Header("x-request-id").ShouldBe(incoming);
        (await response.Content.ReadAsStringAsync()).ShouldBe(incoming);
    }

    public static TheoryData<string> MalformedIds => new()
    {
        new string('a', 300),
        "has spaces in it",
        "quote\"and<angle>",
        "tab\there",
    };

    [Theory]
    [MemberData(nameof(MalformedIds))]
    public async Task Response_MalformedIncomingId_Replaced(string incoming)
    {
        // Arrange
        var path = Unique.Path("rid");
        await _edge.Admin.DeployNewAsync(new EndpointSpec { Path = path, Code = EchoId });
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("x-request-id", incoming).ShouldBeTrue();

        // Act
        using var response = await _edge.Gateway.SendAsync(request);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
        var id = response.Header("x-request-id");
        id.ShouldNotBeNullOrWhiteSpace();
        id.ShouldNotBe(incoming);
        id!.Length.ShouldBeLessThanOrEqualTo(128);
        (await response.Content.ReadAsStringAsync()).ShouldBe(id, "the handler sees the replacement id");
    }

    [Fact]
    public async Task Response_GatewayErrors_CarryRequestIdHeaderAndBody()
    {
        // Arrange
        var errorPath = Unique.Path("rid-500");
        await _edge.Admin.DeployNewAsync(new EndpointSpec { Path = errorPath, Code = """Response Handle(Context ctx, Request req) => throw new Exception("x");""" });

        // Act
        using var notFound = await _edge.Gateway.GetAsync(Unique.Path("nowhere"));
        using var failed = await _edge.Gateway.GetAsync(errorPath);

        // Assert
        await notFound.ShouldBeGatewayErrorAsync(HttpStatusCode.NotFound);
        await failed.ShouldBeGatewayErrorAsync(HttpStatusCode.InternalServerError);
    }

    [Fact]
    public async Task Response_GatewayError_KeepsWellFormedIncomingId()
    {
        // Arrange
        using var request = new HttpRequestMessage(HttpMethod.Get, Unique.Path("nowhere"));
        request.Headers.Add("x-request-id", "trace-4711");

        // Act
        using var response = await _edge.Gateway.SendAsync(request);

        // Assert
        var body = await response.ShouldBeGatewayErrorAsync(HttpStatusCode.NotFound);
        body.Str("request_id").ShouldBe("trace-4711");
    }

    [Fact]
    public async Task Response_HandlerError_CarriesRequestIdHeader()
    {
        // Arrange
        var path = Unique.Path("rid-409");
        await _edge.Admin.DeployNewAsync(new EndpointSpec { Path = path, Code = """Response Handle(Context ctx, Request req) => throw HandlerError.Conflict("c");""" });

        // Act
        using var response = await _edge.Gateway.GetAsync(path);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        response.Header("x-request-id").ShouldNotBeNullOrWhiteSpace();
    }
}
