using Edge.Tests.Common;
using Xunit.Abstractions;

namespace Edge.Tests.Gateway.Bus;

/// <summary>
/// <c>--bus redis:NAME</c>: two real edge processes on loopback sharing the real Redis (scripts/services.sh) see each
/// other's messages; a missing service or a Redis that goes down leaves local delivery working, and the bridge comes back.
/// </summary>
public sealed class RedisBusBridgeTests(ITestOutputHelper output)
{
    private const string Service = "busredis";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Bridge_TwoInstances_PublishOnAReachesSubscribersOnBAndEachInstanceDeliversOnce()
    {
        // Arrange
        await using var a = await StartBridgedAsync();
        await using var b = await StartBridgedAsync();
        var onA = await BusEndpoints.DeployAsync(a.Admin);
        var onB = await BusEndpoints.DeployAsync(b.Admin);
        var topic = Unique.Name("cross");
        await using var remote = await BusSse.OpenAsync(b.Gateway, $"{onB.Feed}?topic={topic}");
        await using var local = await BusSse.OpenAsync(a.Gateway, $"{onA.Feed}?topic={topic}");
        (await Eventually.HoldsAsync(async () => await BusEndpoints.CountAsync(b.Gateway, onB.Count, topic) == 1, Wait)).ShouldBeTrue();
        (await Eventually.HoldsAsync(async () => await BusEndpoints.CountAsync(a.Gateway, onA.Count, topic) == 1, Wait)).ShouldBeTrue();

        // Act
        await BusEndpoints.PublishAsync(a.Gateway, onA.Publish, topic, "from A #1");
        await BusEndpoints.PublishAsync(a.Gateway, onA.Publish, topic, "from A #2");
        await BusEndpoints.PublishAsync(b.Gateway, onB.Publish, topic, "from B");

        // Assert: in order, once each (the publishing instance skips its own echo from Redis).
        (await remote.NextAsync(Wait)).ShouldBe("from A #1");
        (await remote.NextAsync(Wait)).ShouldBe("from A #2");
        (await remote.NextAsync(Wait)).ShouldBe("from B");
        (await local.NextAsync(Wait)).ShouldBe("from A #1");
        (await local.NextAsync(Wait)).ShouldBe("from A #2");
        (await local.NextAsync(Wait)).ShouldBe("from B");
        var stats = (await a.Admin.StatsAsync()).GetProperty("bus").GetProperty("bridge");
        stats.GetProperty("sent").GetInt64().ShouldBe(2);
        stats.GetProperty("received").GetInt64().ShouldBe(1);
    }

    [Fact]
    public async Task Bridge_ServiceMissing_OneClearLogLineAndLocalDeliveryStillWorks()
    {
        // Arrange
        await using var edge = await EdgeProcess.StartAsync(new EdgeProcessOptions { ExtraArgs = ["--bus", "redis:no-such-redis"] });
        var paths = await BusEndpoints.DeployAsync(edge.Admin);
        var topic = Unique.Name("alone");
        await using var client = await BusSse.OpenAsync(edge.Gateway, $"{paths.Feed}?topic={topic}");
        (await Eventually.HoldsAsync(async () => await BusEndpoints.CountAsync(edge.Gateway, paths.Count, topic) == 1, Wait)).ShouldBeTrue();

        // Act
        var reached = await BusEndpoints.PublishAsync(edge.Gateway, paths.Publish, topic, "still here");

        // Assert
        reached.ShouldBe(1);
        (await client.NextAsync(Wait)).ShouldBe("still here");
        edge.StdOut.ShouldContain("bus: not bridged through Redis yet: there is no active service named 'no-such-redis'");
        (await edge.Admin.StatsAsync()).GetProperty("bus").GetProperty("bridge").GetProperty("connected").GetBoolean().ShouldBeFalse();
    }

    [Fact]
    public async Task Bridge_RedisRestarted_LocalDeliveryGoesOnAndTheBridgeComesBack()
    {
        // Arrange
        await using var a = await StartBridgedAsync();
        await using var b = await StartBridgedAsync();
        var onA = await BusEndpoints.DeployAsync(a.Admin);
        var onB = await BusEndpoints.DeployAsync(b.Admin);
        var topic = Unique.Name("restart");
        await using var remote = await BusSse.OpenAsync(b.Gateway, $"{onB.Feed}?topic={topic}");
        await using var local = await BusSse.OpenAsync(a.Gateway, $"{onA.Feed}?topic={topic}");
        (await Eventually.HoldsAsync(async () => await BusEndpoints.CountAsync(b.Gateway, onB.Count, topic) == 1, Wait)).ShouldBeTrue();

        // Act
        await TestServices.KillAsync("redis");
        int reachedWhileDown;
        try
        {
            reachedWhileDown = await BusEndpoints.PublishAsync(a.Gateway, onA.Publish, topic, "while redis is down");
        }
        finally
        {
            await TestServices.RestartAsync();
        }

        var back = await Eventually.HoldsAsync(async () => await BridgeConnectedAsync(a) && await BridgeConnectedAsync(b), TimeSpan.FromSeconds(60), 250);
        await BusEndpoints.PublishAsync(a.Gateway, onA.Publish, topic, "after the restart");

        // Assert
        reachedWhileDown.ShouldBe(1);
        (await local.NextAsync(Wait)).ShouldBe("while redis is down");
        back.ShouldBeTrue(a.StdOut);
        (await remote.NextAsync(Wait)).ShouldBe("after the restart");
        (await local.NextAsync(Wait)).ShouldBe("after the restart");
        a.StdOut.ShouldContain("bus: lost the connection to redis service 'busredis'");
        a.StdOut.ShouldContain("bus: reconnected to redis service 'busredis'");
        a.StdOut.ShouldNotContain(TestServices.Get("REDIS_PASSWORD"));
    }

    private async Task<EdgeProcess> StartBridgedAsync()
    {
        var edge = await EdgeProcess.StartAsync(new EdgeProcessOptions { ExtraArgs = ["--bus", $"redis:{Service}"] });
        await edge.Admin.CreateServiceAsync(TestServices.Redis(Service));
        var connected = await Eventually.HoldsAsync(() => BridgeConnectedAsync(edge), Wait, 100);
        output.WriteLine(edge.StdOut);
        connected.ShouldBeTrue(edge.StdOut);
        return edge;
    }

    private static async Task<bool> BridgeConnectedAsync(EdgeProcess edge) =>
        (await edge.Admin.StatsAsync()).GetProperty("bus").GetProperty("bridge").GetProperty("connected").GetBoolean();
}
