using System.Net;
using System.Net.Http.Headers;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Admin;

/// <summary>Token generation needs its own process (no EDGE_ADMIN_TOKEN) and restarts.</summary>
public sealed class AdminTokenTests
{
    [Fact]
    public async Task Start_WithoutEnvToken_WritesTokenFileWithMode0600()
    {
        // Arrange + Act
        await using var edge = await EdgeProcess.StartAsync(new EdgeProcessOptions { SetAdminToken = false });

        // Assert
        var file = Path.Combine(edge.DataDir, "admin-token");
        File.Exists(file).ShouldBeTrue($"no {file}\n{edge.Describe()}");
        edge.Token.ShouldNotBeNullOrWhiteSpace();
        edge.Token!.Length.ShouldBeGreaterThanOrEqualTo(16, "a generated admin token should be long enough to resist guessing");
        var mode = File.GetUnixFileMode(file);
        mode.ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite, $"mode of {file}");
        (await edge.Admin.GetApiAsync("/api/stats")).ShouldSucceed();
    }

    [Fact]
    public async Task Start_WithoutEnvToken_PrintsGeneratedTokenOnce()
    {
        // Arrange
        await using var edge = await EdgeProcess.StartAsync(new EdgeProcessOptions { SetAdminToken = false });

        // Act
        await edge.RestartAsync();

        // Assert
        var first = edge.PreviousRuns[0];
        (first.StdOut + first.StdErr).ShouldContain(edge.Token!, Case.Sensitive, "the first start prints the generated token");
        (edge.StdOut + edge.StdErr).ShouldNotContain(edge.Token!, Case.Sensitive, "a later start must not print the token again");
    }

    [Fact]
    public async Task Restart_WithGeneratedToken_SameTokenStillWorks()
    {
        // Arrange
        await using var edge = await EdgeProcess.StartAsync(new EdgeProcessOptions { SetAdminToken = false });
        var firstToken = edge.Token;
        firstToken.ShouldNotBeNull(edge.Describe());

        // Act
        await edge.RestartAsync();

        // Assert
        edge.Token.ShouldBe(firstToken, "the token file must be reused, not regenerated");
        (await edge.Admin.GetApiAsync("/api/stats")).ShouldSucceed();
    }

    [Fact]
    public async Task Start_WithEnvToken_OnlyThatTokenWorks()
    {
        // Arrange
        await using var edge = await EdgeProcess.StartAsync();
        using var other = new HttpClient { BaseAddress = edge.AdminBase };
        var fileToken = Path.Combine(edge.DataDir, "admin-token");
        if (File.Exists(fileToken))
        {
            other.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", File.ReadAllText(fileToken).Trim());
        }

        // Act
        var withEnvToken = await edge.Admin.GetApiAsync("/api/domains");
        var withOther = await other.GetApiAsync("/api/domains");

        // Assert
        withEnvToken.ShouldSucceed();
        withOther.ShouldFail(HttpStatusCode.Unauthorized);
    }
}
