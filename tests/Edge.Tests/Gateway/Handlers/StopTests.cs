using System.Net;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Handlers;

[Collection(GatewayCollection.Name)]
public sealed class StopTests(GatewayFixture fixture)
{
    private readonly EdgeProcess _edge = fixture.Edge;

    [Fact]
    public async Task Stop_WithRequestInFlight_InFlightFinishesThen503()
    {
        // Arrange
        var path = Unique.Path("stop");
        var id = await _edge.Admin.DeployNewAsync(new EndpointSpec
        {
            Path = path,
            Code = """
                async Task<Response> Handle(Context ctx, Request req)
                {
                    await Task.Delay(1000);
                    return Response.Text(200, "finished");
                }
                """,
        });
        var inFlight = _edge.Gateway.GetAsync(path);
        await Task.Delay(300);

        // Act
        var stopped = await _edge.Admin.StopEndpointAsync(id);
        using var after = await _edge.Gateway.GetAsync(path);
        using var first = await inFlight;

        // Assert
        stopped.ShouldSucceed();
        first.StatusCode.ShouldBe(HttpStatusCode.OK, await first.DescribeAsync());
        (await first.Content.ReadAsStringAsync()).ShouldBe("finished");
        await after.ShouldBeGatewayErrorAsync(HttpStatusCode.ServiceUnavailable);
    }

    [Fact]
    public async Task Start_AfterStop_ServesAgain()
    {
        // Arrange
        var path = Unique.Path("restart");
        var id = await _edge.Admin.DeployNewAsync(new EndpointSpec { Path = path, Code = """Response Handle(Context ctx, Request req) => Response.Text(200, "back");""" });
        (await _edge.Admin.StopEndpointAsync(id)).ShouldSucceed();

        // Act
        var started = await _edge.Admin.StartEndpointAsync(id);
        using var response = await _edge.Gateway.GetAsync(path);

        // Assert
        started.ShouldSucceed();
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldBe("back");
    }

    [Fact]
    public async Task Disable_ViaUpdate_StopsServing()
    {
        // Arrange
        var path = Unique.Path("disable");
        var id = await _edge.Admin.DeployNewAsync(new EndpointSpec { Path = path, Code = """Response Handle(Context ctx, Request req) => Response.Text(200, "on");""" });

        // Act
        (await _edge.Admin.UpdateEndpointAsync(id, new { enabled = false })).ShouldSucceed();
        using var response = await _edge.Gateway.GetAsync(path);

        // Assert
        ((int)response.StatusCode).ShouldBeOneOf([404, 503], await response.DescribeAsync());
    }
}
