using System.Net;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Hosting;

/// <summary>SIGTERM: stop accepting, let in-flight requests finish, exit 0.</summary>
public sealed class SignalTests
{
    [Fact]
    public async Task SigTerm_SlowRequestInFlight_CompletesThenExitZero()
    {
        // Arrange
        await using var edge = await EdgeProcess.StartAsync();
        var path = Unique.Path("slow");
        await edge.Admin.DeployNewAsync(new EndpointSpec
        {
            Path = path,
            Code = """
                async Task<Response> Handle(Context ctx, Request req)
                {
                    await Task.Delay(1000);
                    return Response.Text(200, "done");
                }
                """,
        });
        var inFlight = edge.Gateway.GetAsync(path);
        (await Eventually.HoldsAsync(async () => (await edge.Admin.StatsAsync()).Num("active_requests") >= 1, TimeSpan.FromSeconds(1), 20)).ShouldBeTrue();

        // Act
        edge.SendSigTerm();
        using var response = await inFlight;
        var exitCode = await edge.WaitForExitAsync(TimeSpan.FromSeconds(20));

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK, edge.Describe());
        (await response.Content.ReadAsStringAsync()).ShouldBe("done");
        exitCode.ShouldBe(0, edge.Describe());
    }

    [Fact]
    public async Task SigTerm_Idle_ExitsZeroQuickly()
    {
        // Arrange
        await using var edge = await EdgeProcess.StartAsync();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        // Act
        var exitCode = await edge.StopAsync(TimeSpan.FromSeconds(15));

        // Assert
        exitCode.ShouldBe(0, edge.Describe());
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));
        edge.StdErr.ShouldNotContain("Exception", Case.Sensitive, edge.Describe());
    }
}
