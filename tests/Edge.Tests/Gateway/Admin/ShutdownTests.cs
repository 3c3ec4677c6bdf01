using System.Net;
using System.Net.Http.Headers;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Admin;

/// <summary><c>POST /api/shutdown</c>: authenticated, scoped, graceful (in-flight requests finish), exit code 0.</summary>
public sealed class ShutdownTests
{
    [Fact]
    public async Task Shutdown_RootToken_AnswersThenDrainsAndExitsZero()
    {
        // Arrange
        await using var edge = await EdgeProcess.StartAsync();
        var path = Unique.Path();
        await edge.Admin.DeployNewAsync(new EndpointSpec
        {
            Path = path,
            Code = "async Task<Response> Handle(Context ctx, Request req) { await Task.Delay(1500); return Response.Ok(new { finished = true }); }",
        });
        var inFlight = edge.Gateway.GetAsync(path);
        await Task.Delay(300);

        // Act
        var answer = await edge.Admin.PostApiAsync("/api/shutdown");
        using var finished = await inFlight;
        var exited = await Eventually.HoldsAsync(() => Task.FromResult(!edge.IsRunning), TimeSpan.FromSeconds(30), pollMs: 100);

        // Assert
        answer.Status.ShouldBe(HttpStatusCode.Accepted, answer.ToString());
        answer.Data.Str("status").ShouldBe("stopping");
        finished.StatusCode.ShouldBe(HttpStatusCode.OK);
        exited.ShouldBeTrue();
        edge.ExitCode.ShouldBe(0);
    }

    [Fact]
    public async Task Shutdown_WithoutCredentialsOrScope_RefusedAndStillServing()
    {
        // Arrange
        await using var edge = await EdgeProcess.StartAsync();
        var key = (await edge.Admin.PostApiAsync("/api/admin-keys", new { name = "reader", scopes = new[] { "endpoints:read" } })).ShouldSucceed().Data.Str("key");
        using var anonymous = new HttpClient { BaseAddress = edge.AdminBase };
        using var reader = new HttpClient { BaseAddress = edge.AdminBase };
        reader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

        // Act
        var denied = await anonymous.PostApiAsync("/api/shutdown");
        var forbidden = await reader.PostApiAsync("/api/shutdown");
        await Task.Delay(500);

        // Assert
        denied.ShouldFail(HttpStatusCode.Unauthorized);
        forbidden.ShouldFail(HttpStatusCode.Forbidden).Error!.ShouldContain("system:write");
        edge.IsRunning.ShouldBeTrue();
        (await edge.Admin.GetApiAsync("/api/health")).ShouldSucceed();
    }
}
