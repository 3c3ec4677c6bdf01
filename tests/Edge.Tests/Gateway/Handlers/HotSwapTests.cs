using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Handlers;

/// <summary>Redeploys under concurrent traffic must not fail a single request.</summary>
[Collection(GatewayCollection.Name)]
public sealed class HotSwapTests(GatewayFixture fixture)
{
    private const int Workers = 8;
    private const int Swaps = 20;
    private readonly EdgeProcess _edge = fixture.Edge;

    [Fact]
    public async Task Redeploy20TimesUnderLoad_ZeroFailedRequests_ThenOnlyLastVersion()
    {
        // Arrange
        var path = Unique.Path("swap");
        var id = await _edge.Admin.DeployNewAsync(new EndpointSpec { Path = path, Code = Version(1) });
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var failures = new ConcurrentQueue<string>();
        var seen = new ConcurrentDictionary<string, int>();
        long ok = 0;
        var workers = Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await _edge.Gateway.GetAsync(path, stop.Token);
                    var body = await response.Content.ReadAsStringAsync(stop.Token);
                    if (response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref ok);
                        seen.AddOrUpdate(body, 1, (_, n) => n + 1);
                    }
                    else
                    {
                        failures.Enqueue($"{(int)response.StatusCode} {body}");
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (HttpRequestException e)
                {
                    failures.Enqueue("socket: " + e.Message);
                }
            }
        })).ToList();
        await Task.Delay(300);

        // Act
        var clock = Stopwatch.StartNew();
        for (var v = 2; v <= Swaps + 1; v++)
        {
            await _edge.Admin.RedeployAsync(id, Version(v));
            await Task.Delay(50);
        }

        await Task.Delay(300);
        await stop.CancelAsync();
        await Task.WhenAll(workers);

        // Assert
        failures.ShouldBeEmpty($"{failures.Count} failed of {ok + failures.Count}: {string.Join(" | ", failures.Take(5))}");
        Interlocked.Read(ref ok).ShouldBeGreaterThan(Workers * 10, "the load loop really ran");
        seen.Keys.Count.ShouldBeGreaterThan(2, $"traffic saw several versions during {clock.ElapsedMilliseconds} ms of swaps: {string.Join(", ", seen.Keys)}");
        for (var i = 0; i < 20; i++)
        {
            using var response = await _edge.Gateway.GetAsync(path);
            (await response.Content.ReadAsStringAsync()).ShouldBe($"v{Swaps + 1}");
        }
    }

    [Fact]
    public async Task RedeployManyTimes_OldVersionsUnloaded()
    {
        // Arrange
        var path = Unique.Path("unload");
        var id = await _edge.Admin.DeployNewAsync(new EndpointSpec { Path = path, Code = Version(1) });
        var before = await _edge.Admin.StatsAsync();

        // Act
        for (var v = 2; v <= 11; v++)
        {
            await _edge.Admin.RedeployAsync(id, Version(v));
            using var response = await _edge.Gateway.GetAsync(path);
            (await response.Content.ReadAsStringAsync()).ShouldBe($"v{v}");
        }

        // Assert: idle old versions are released at once, so loaded_count does not grow
        var settled = await Eventually.HoldsAsync(
            async () => (await _edge.Admin.StatsAsync()).Num("loaded_count") <= before.Num("loaded_count"),
            TimeSpan.FromSeconds(10));
        var after = await _edge.Admin.StatsAsync();
        settled.ShouldBeTrue($"loaded_count before {before.Num("loaded_count")}, after 10 swaps {after.Num("loaded_count")}");
        after.Num("draining_count").ShouldBe(0);
    }

    private static string Version(int v) =>
        $$"""Response Handle(Context ctx, Request req) => Response.Text(200, "v{{v}}");""";
}
