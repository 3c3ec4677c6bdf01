using System.Net;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Handlers;

/// <summary><c>max_body_bytes</c> per endpoint: 413 before the handler runs.</summary>
[Collection(GatewayCollection.Name)]
public sealed class BodyLimitTests(GatewayFixture fixture)
{
    private const string Echo = """Response Handle(Context ctx, Request req) => Response.Ok(new { length = req.BodyBytes.Length });""";
    private readonly EdgeProcess _edge = fixture.Edge;

    [Fact]
    public async Task Post_BodyOverLimit_Returns413()
    {
        // Arrange
        var path = await DeployAsync(maxBodyBytes: 100);

        // Act
        using var response = await _edge.Gateway.PostAsync(path, new ByteArrayContent(new byte[1000]));

        // Assert
        await response.ShouldBeGatewayErrorAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Post_BodyExactlyAtLimit_Accepted()
    {
        // Arrange
        var path = await DeployAsync(maxBodyBytes: 100);

        // Act
        using var response = await _edge.Gateway.PostAsync(path, new ByteArrayContent(new byte[100]));

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
        (await response.JsonAsync()).Num("length").ShouldBe(100);
    }

    [Fact]
    public async Task Post_ChunkedBodyOverLimit_Returns413()
    {
        // Arrange
        var path = await DeployAsync(maxBodyBytes: 100);
        var content = new StreamContent(new MemoryStream(new byte[5000]));
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.TransferEncodingChunked = true;

        // Act
        using var response = await _edge.Gateway.SendAsync(request);

        // Assert
        await response.ShouldBeGatewayErrorAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Post_DefaultLimit_AcceptsOneMegabyte()
    {
        // Arrange
        var path = await DeployAsync(maxBodyBytes: null);

        // Act
        using var response = await _edge.Gateway.PostAsync(path, new ByteArrayContent(new byte[1024 * 1024]));

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
        (await response.JsonAsync()).Num("length").ShouldBe(1024 * 1024);
    }

    [Fact]
    public async Task Post_LimitRaisedByUpdate_TakesEffect()
    {
        // Arrange
        var path = Unique.Path("limit");
        var id = await _edge.Admin.DeployNewAsync(new EndpointSpec { Path = path, Method = "POST", Code = Echo, MaxBodyBytes = 10 });

        // Act
        (await _edge.Admin.UpdateEndpointAsync(id, new { max_body_bytes = 2000 })).ShouldSucceed();
        using var response = await _edge.Gateway.PostAsync(path, new ByteArrayContent(new byte[1500]));

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
    }

    private async Task<string> DeployAsync(long? maxBodyBytes)
    {
        var path = Unique.Path("limit");
        await _edge.Admin.DeployNewAsync(new EndpointSpec { Path = path, Method = "POST", Code = Echo, MaxBodyBytes = maxBodyBytes });
        return path;
    }
}
