using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Admin;

[Collection(GatewayCollection.Name)]
public sealed class StatsApiTests(GatewayFixture fixture)
{
    private readonly EdgeProcess _edge = fixture.Edge;

    [Fact]
    public async Task Stats_HasEveryCounter()
    {
        // Act
        var stats = await _edge.Admin.StatsAsync();

        // Assert
        string[] counters =
        [
            "endpoints_total", "endpoints_running", "requests_handled", "uptime_seconds",
            "loaded_count", "draining_count", "active_requests", "draining_requests",
        ];
        foreach (var counter in counters)
        {
            stats.Num(counter).ShouldBeGreaterThanOrEqualTo(0, counter);
        }
    }

    [Fact]
    public async Task Stats_AfterDeployAndCalls_CountsThem()
    {
        // Arrange
        var before = await _edge.Admin.StatsAsync();
        var path = Unique.Path("stats");
        await _edge.Admin.DeployNewAsync(new EndpointSpec
        {
            Path = path,
            Code = "Response Handle(Context ctx, Request req) => Response.Ok(new { ok = 1 });",
        });

        // Act
        for (var i = 0; i < 5; i++)
        {
            using var response = await _edge.Gateway.GetAsync(path);
            response.EnsureSuccessStatusCode();
        }

        var after = await _edge.Admin.StatsAsync();

        // Assert
        after.Num("endpoints_total").ShouldBe(before.Num("endpoints_total") + 1);
        after.Num("endpoints_running").ShouldBe(before.Num("endpoints_running") + 1);
        after.Num("requests_handled").ShouldBeGreaterThanOrEqualTo(before.Num("requests_handled") + 5);
        after.Num("loaded_count").ShouldBeGreaterThanOrEqualTo(after.Num("endpoints_running"));
        after.Num("uptime_seconds").ShouldBeGreaterThanOrEqualTo(before.Num("uptime_seconds"));
    }
}
