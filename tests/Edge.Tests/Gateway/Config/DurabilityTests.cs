using System.Collections.Concurrent;
using System.Globalization;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Config;

/// <summary>kill -9 in the middle of admin writes: the store opens and keeps every acknowledged write.</summary>
public sealed class DurabilityTests
{
    private const string Hello = "Response Handle(Context ctx, Request req) => Response.Ok(new { message = \"hello\" });";

    [Fact]
    public async Task Kill9DuringWrites_Restart_EveryAcknowledgedWriteIsThere()
    {
        // Arrange
        await using var edge = await EdgeProcess.StartAsync();
        var created = new ConcurrentDictionary<string, string>(); // id -> path
        var latestDescription = new ConcurrentDictionary<string, int>(); // id -> highest acknowledged revision number
        var domains = new ConcurrentBag<string>();
        var random = new Random();

        for (var round = 0; round < 2; round++)
        {
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 2).Select(w => Task.Run(() => WriteLoopAsync(edge, w, created, latestDescription, domains, stop.Token))).ToList();

            // Act: SIGKILL at a random moment while the writers run
            await Task.Delay(random.Next(400, 1500));
            edge.Kill();
            await stop.CancelAsync();
            await Task.WhenAll(writers);
            await edge.RestartAsync();
        }

        // Assert
        created.Count.ShouldBeGreaterThan(5, "the writers got some writes acknowledged before each kill");
        var all = (await edge.Admin.GetApiAsync("/api/endpoints")).ShouldSucceed().Items.ToDictionary(e => e.Str("id"));
        foreach (var (id, path) in created)
        {
            all.ShouldContainKey(id, $"acknowledged endpoint {path} lost");
            all[id].Str("path").ShouldBe(path);
        }

        foreach (var (id, n) in latestDescription)
        {
            var description = all[id].Str("description");
            int.Parse(description.Split('-')[1], CultureInfo.InvariantCulture).ShouldBeGreaterThanOrEqualTo(n, $"acknowledged update of {id} lost");
        }

        var storedDomains = (await edge.Admin.GetApiAsync("/api/domains")).Ids();
        foreach (var domain in domains)
        {
            storedDomains.ShouldContain(domain);
        }

        // and the store still takes writes
        (await edge.Admin.CreateEndpointAsync(new EndpointSpec { Path = Unique.Path("after"), Code = Hello })).ShouldSucceed();
    }

    [Fact]
    public async Task Kill9_AfterDeploy_EndpointStillRunningAfterRestart()
    {
        // Arrange
        await using var edge = await EdgeProcess.StartAsync();
        var path = Unique.Path("durable");
        var id = await edge.Admin.DeployNewAsync(new EndpointSpec { Path = path, Code = Hello });

        // Act
        edge.Kill();
        await edge.RestartAsync();

        // Assert
        (await edge.Admin.GetEndpointAsync(id)).ShouldSucceed().Data.Str("status").ShouldBe("running");
        using var response = await edge.Gateway.GetAsync(path);
        response.EnsureSuccessStatusCode();
    }

    private static async Task WriteLoopAsync(
        EdgeProcess edge,
        int writer,
        ConcurrentDictionary<string, string> created,
        ConcurrentDictionary<string, int> latestDescription,
        ConcurrentBag<string> domains,
        CancellationToken stop)
    {
        var admin = edge.Admin;
        var counter = 0;
        var mine = new List<string>();
        while (!stop.IsCancellationRequested)
        {
            counter++;
            try
            {
                if (counter % 3 == 0 && mine.Count > 0)
                {
                    var id = mine[counter % mine.Count];
                    var r = await admin.UpdateEndpointAsync(id, new { description = $"rev-{counter}" });
                    if (r.IsSuccess())
                    {
                        latestDescription.AddOrUpdate(id, counter, (_, old) => Math.Max(old, counter));
                    }
                }
                else if (counter % 7 == 0)
                {
                    var r = await admin.CreateDomainAsync(Unique.Name($"w{writer}"), Unique.Host());
                    if (r.IsSuccess())
                    {
                        domains.Add(r.Id);
                    }
                }
                else
                {
                    var path = Unique.Path($"w{writer}-{counter}");
                    var r = await admin.CreateEndpointAsync(new EndpointSpec { Path = path, Code = Hello, Description = "rev-0" });
                    if (r.IsSuccess())
                    {
                        created[r.Id] = path;
                        mine.Add(r.Id);
                    }
                }
            }
            catch (HttpRequestException)
            {
                return; // the process is gone
            }
            catch (TaskCanceledException)
            {
                return;
            }
        }
    }
}
