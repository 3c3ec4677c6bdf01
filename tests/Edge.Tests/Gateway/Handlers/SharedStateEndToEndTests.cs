using System.Net;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Handlers;

/// <summary>ctx.State in the real gateway: atomic across concurrent requests and shared by every endpoint.</summary>
[Collection(GatewayCollection.Name)]
public sealed class SharedStateEndToEndTests(GatewayFixture fixture)
{
    private readonly EdgeProcess _edge = fixture.Edge;

    [Fact]
    public async Task Increment_200ConcurrentRequests_CountsExactlyAndIsSharedAcrossEndpoints()
    {
        // Arrange
        var key = Unique.Name("hits");
        var hitPath = Unique.Path("hit");
        var readPath = Unique.Path("read");
        await _edge.Admin.DeployNewAsync(new EndpointSpec
        {
            Path = hitPath,
            Code = $$"""Response Handle(Context ctx, Request req) => Response.Ok(new { count = ctx.State.Increment("{{key}}") });""",
        });
        await _edge.Admin.DeployNewAsync(new EndpointSpec
        {
            Path = readPath,
            Code = $$"""Response Handle(Context ctx, Request req) => Response.Ok(new { count = ctx.State.Get<long>("{{key}}") });""",
        });

        // Act
        var counts = await Task.WhenAll(Enumerable.Range(0, 200).Select(async _ =>
        {
            using var response = await _edge.Gateway.GetAsync(hitPath);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
            return (await response.JsonAsync()).Num("count");
        }));
        using var read = await _edge.Gateway.GetAsync(readPath);

        // Assert
        counts.Order().ShouldBe(Enumerable.Range(1, 200).Select(i => (long)i), "every request saw its own count");
        read.StatusCode.ShouldBe(HttpStatusCode.OK, await read.DescribeAsync());
        (await read.JsonAsync()).Num("count").ShouldBe(200);
    }
}
