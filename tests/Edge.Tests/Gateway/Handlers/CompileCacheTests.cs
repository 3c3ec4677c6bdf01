using System.Net;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Handlers;

/// <summary>Restarts load running endpoints from the disk compile cache instead of recompiling.</summary>
public sealed class CompileCacheTests
{
    [Fact]
    public async Task Restart_ThreeRunningEndpoints_ServeAgainWithoutRecompiling()
    {
        // Arrange
        await using var edge = await EdgeProcess.StartAsync();
        var endpoints = new List<(string Id, string Path, string Body)>();
        for (var i = 0; i < 3; i++)
        {
            var path = Unique.Path("cached");
            var body = $"answer-{i}-{Unique.Id()}";
            var id = await edge.Admin.DeployNewAsync(new EndpointSpec
            {
                Path = path,
                Code = $$"""Response Handle(Context ctx, Request req) => Response.Text(200, "{{body}}");""",
            });
            endpoints.Add((id, path, body));
        }

        var cacheDir = Path.Combine(edge.DataDir, "cache");
        var before = Snapshot(cacheDir);
        before.ShouldNotBeEmpty($"compiled handlers are cached under {cacheDir}");
        await Task.Delay(1100); // so that a rewrite would show in the mtimes

        // Act
        await edge.RestartAsync();

        // Assert: served at once, the first request after health already answers
        foreach (var (id, path, body) in endpoints)
        {
            using var response = await edge.Gateway.GetAsync(path);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, $"{await response.DescribeAsync()}\n{edge.Describe()}");
            (await response.Content.ReadAsStringAsync()).ShouldBe(body);
            (await edge.Admin.GetEndpointAsync(id)).ShouldSucceed().Data.Str("status").ShouldBe("running");
        }

        Snapshot(cacheDir).ShouldBe(before, "the cache is read, not rewritten, on restart");
        var compile = (await edge.Admin.CompileAsync(endpoints[0].Id)).ShouldSucceed();
        compile.Data.Bool("cached").ShouldBeTrue(compile.ToString());
    }

    [Fact]
    public async Task Restart_FiftyRunningEndpoints_AllServeSoonWithoutRecompiling()
    {
        // Arrange
        await using var edge = await EdgeProcess.StartAsync();
        var prefix = Unique.Path();
        for (var i = 0; i < 50; i++)
        {
            await edge.Admin.DeployNewAsync(new EndpointSpec
            {
                Path = $"{prefix}/e{i}",
                Code = $$"""Response Handle(Context ctx, Request req) => Response.Text(200, "e{{i}}");""",
            });
        }

        var cacheDir = Path.Combine(edge.DataDir, "cache");
        var before = Snapshot(cacheDir);
        await edge.StopAsync();

        // Act
        await edge.RestartAsync();
        var startup = edge.LastStartDuration;

        // Assert
        for (var i = 0; i < 50; i++)
        {
            using var response = await edge.Gateway.GetAsync($"{prefix}/e{i}");
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
            (await response.Content.ReadAsStringAsync()).ShouldBe($"e{i}");
        }

        Snapshot(cacheDir).ShouldBe(before, "none recompiled");
        startup.ShouldBeLessThan(TimeSpan.FromSeconds(5), "issue figure: all 50 serving within 3 s of process start (5 s allowed here for CI noise)");
    }

    [Fact]
    public async Task Restart_AfterKill9_RunningEndpointsServeAgain()
    {
        // Arrange
        await using var edge = await EdgeProcess.StartAsync();
        var path = Unique.Path("k9");
        await edge.Admin.DeployNewAsync(new EndpointSpec { Path = path, Code = """Response Handle(Context ctx, Request req) => Response.Text(200, "alive");""" });
        var stopped = await edge.Admin.DeployNewAsync(new EndpointSpec { Path = Unique.Path("k9-stopped"), Code = """Response Handle(Context ctx, Request req) => Response.Text(200, "x");""" });
        (await edge.Admin.StopEndpointAsync(stopped)).ShouldSucceed();

        // Act
        edge.Kill();
        await edge.RestartAsync();

        // Assert
        using var response = await edge.Gateway.GetAsync(path);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
        (await response.Content.ReadAsStringAsync()).ShouldBe("alive");
        (await edge.Admin.GetEndpointAsync(stopped)).ShouldSucceed().Data.Str("status").ShouldBe("stopped", "a stopped endpoint stays stopped");
    }

    [Fact]
    public async Task Restart_CacheDeleted_RecompilesAndServes()
    {
        // Arrange
        await using var edge = await EdgeProcess.StartAsync();
        var path = Unique.Path("nocache");
        await edge.Admin.DeployNewAsync(new EndpointSpec { Path = path, Code = """Response Handle(Context ctx, Request req) => Response.Text(200, "rebuilt");""" });
        await edge.StopAsync();
        var cacheDir = Path.Combine(edge.DataDir, "cache");
        if (Directory.Exists(cacheDir))
        {
            Directory.Delete(cacheDir, recursive: true);
        }

        // Act
        await edge.RestartAsync();

        // Assert
        using var response = await edge.Gateway.GetAsync(path);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, $"{await response.DescribeAsync()}\n{edge.Describe()}");
        (await response.Content.ReadAsStringAsync()).ShouldBe("rebuilt");
    }

    [Fact]
    public async Task Restart_OneCacheEntryCorrupted_OthersServeAndItIsRecompiled()
    {
        // Arrange: find which cache files belong to the first endpoint by deploying it alone first
        await using var edge = await EdgeProcess.StartAsync();
        var cacheDir = Path.Combine(edge.DataDir, "cache");
        var broken = Unique.Path("corrupt");
        var healthy = Unique.Path("healthy");
        var brokenId = await edge.Admin.DeployNewAsync(new EndpointSpec { Path = broken, Code = """Response Handle(Context ctx, Request req) => Response.Text(200, "survived");""" });
        var brokenFiles = Snapshot(cacheDir).Keys.ToList();
        await edge.Admin.DeployNewAsync(new EndpointSpec { Path = healthy, Code = """Response Handle(Context ctx, Request req) => Response.Text(200, "healthy");""" });
        await edge.StopAsync();
        brokenFiles.ShouldNotBeEmpty();
        foreach (var file in brokenFiles)
        {
            await File.WriteAllBytesAsync(Path.Combine(cacheDir, file), [0xDE, 0xAD, 0xBE, 0xEF]);
        }

        // Act
        await edge.RestartAsync();

        // Assert: the other endpoint serves; the damaged entry is dropped and the revision compiled again
        using var other = await edge.Gateway.GetAsync(healthy);
        other.StatusCode.ShouldBe(HttpStatusCode.OK, $"{await other.DescribeAsync()}\n{edge.Describe()}");
        using var damaged = await edge.Gateway.GetAsync(broken);
        damaged.StatusCode.ShouldBe(HttpStatusCode.OK, $"{await damaged.DescribeAsync()}\n{edge.Describe()}");
        (await damaged.Content.ReadAsStringAsync()).ShouldBe("survived");
        (await edge.Admin.GetEndpointAsync(brokenId)).ShouldSucceed().Data.Str("status").ShouldBe("running");
        (await edge.Admin.LogsAsync(brokenId)).ShouldContain(l => l.Level == "warning" && l.Message.Contains("damaged"));
    }

    private static Dictionary<string, (long Length, DateTime Mtime)> Snapshot(string dir) =>
        Directory.Exists(dir)
            ? Directory.GetFiles(dir, "*", SearchOption.AllDirectories)
                .ToDictionary(f => Path.GetRelativePath(dir, f), f => (new FileInfo(f).Length, File.GetLastWriteTimeUtc(f)))
            : [];
}
