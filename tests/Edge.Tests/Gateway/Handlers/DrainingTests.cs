using System.Net;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Handlers;

/// <summary>Graceful swaps; own process so that the draining counters belong to this test alone.</summary>
public sealed class DrainingTests : IAsyncLifetime
{
    private EdgeProcess _edge = null!;

    public async Task InitializeAsync()
    {
        _edge = await EdgeProcess.StartAsync();
        // Warm the compiler so that the swap below takes milliseconds, not a cold Roslyn start.
        await _edge.Admin.DeployNewAsync(new EndpointSpec { Path = Unique.Path("warm"), Code = """Response Handle(Context ctx, Request req) => Response.Text(200, "warm");""" });
    }

    public async Task DisposeAsync() => await _edge.DisposeAsync();

    [Fact]
    public async Task Swap_WithRequestInFlight_OldVersionAnswersItNewVersionAnswersNew()
    {
        // Arrange
        var path = Unique.Path("drain");
        var id = await _edge.Admin.DeployNewAsync(new EndpointSpec
        {
            Path = path,
            Code = """
                async Task<Response> Handle(Context ctx, Request req)
                {
                    await Task.Delay(1500);
                    return Response.Text(200, "v1");
                }
                """,
        });
        var inFlight = _edge.Gateway.GetAsync(path);
        var running = await Eventually.HoldsAsync(async () => (await _edge.Admin.StatsAsync()).Num("active_requests") >= 1, TimeSpan.FromSeconds(1), 20);
        running.ShouldBeTrue("the slow request reached the handler");

        // Act
        await _edge.Admin.RedeployAsync(id, """Response Handle(Context ctx, Request req) => Response.Text(200, "v2");""");
        inFlight.IsCompleted.ShouldBeFalse("the swap must happen while the v1 request is still running");
        var during = await _edge.Admin.StatsAsync();
        using var fresh = await _edge.Gateway.GetAsync(path);
        using var old = await inFlight;

        // Assert
        fresh.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await fresh.Content.ReadAsStringAsync()).ShouldBe("v2", "new requests go to the new version at once");
        old.StatusCode.ShouldBe(HttpStatusCode.OK, await old.DescribeAsync());
        (await old.Content.ReadAsStringAsync()).ShouldBe("v1", "the in-flight request finishes on the old version");
        during.Num("draining_count").ShouldBe(1, during.GetRawText());
        during.Num("draining_requests").ShouldBe(1, during.GetRawText());
        var drained = await Eventually.HoldsAsync(async () => (await _edge.Admin.StatsAsync()).Num("draining_count") == 0, TimeSpan.FromSeconds(5));
        var after = await _edge.Admin.StatsAsync();
        drained.ShouldBeTrue($"draining_count back to 0: {after.GetRawText()}");
        after.Num("draining_requests").ShouldBe(0);
        after.Num("loaded_count").ShouldBe(2, "only the warm-up endpoint and v2 stay loaded");
    }

    [Fact]
    public async Task Swap_InFlightLongerThanDrainTimeout_OldVersionUnloadedAfterDrainTimeout()
    {
        // Arrange
        var path = Unique.Path("drain-timeout");
        var id = await _edge.Admin.DeployNewAsync(new EndpointSpec
        {
            Path = path,
            DrainTimeoutMs = 500,
            Code = """
                async Task<Response> Handle(Context ctx, Request req)
                {
                    await Task.Delay(4000, ctx.RequestAborted);
                    return Response.Text(200, "v1");
                }
                """,
        });
        var inFlight = _edge.Gateway.GetAsync(path);
        (await Eventually.HoldsAsync(async () => (await _edge.Admin.StatsAsync()).Num("active_requests") >= 1, TimeSpan.FromSeconds(1), 20)).ShouldBeTrue();

        // Act
        await _edge.Admin.RedeployAsync(id, """Response Handle(Context ctx, Request req) => Response.Text(200, "v2");""");
        var during = await _edge.Admin.StatsAsync();
        var drained = await Eventually.HoldsAsync(async () => (await _edge.Admin.StatsAsync()).Num("draining_count") == 0, TimeSpan.FromSeconds(2.5));
        using var fresh = await _edge.Gateway.GetAsync(path);

        // Assert
        during.Num("draining_count").ShouldBe(1, $"the old version drains while its request runs: {during.GetRawText()}");
        drained.ShouldBeTrue("the old version is dropped after drain_timeout_ms even with a request still running");
        (await fresh.Content.ReadAsStringAsync()).ShouldBe("v2");
        // What happens to the request cut off by the drain timeout is not specified; it must just end.
        try
        {
            using var old = await inFlight;
        }
        catch (HttpRequestException)
        {
        }
    }
}
