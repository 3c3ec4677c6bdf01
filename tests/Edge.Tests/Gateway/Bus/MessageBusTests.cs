using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Bus;

/// <summary><c>ctx.Bus</c> publish/subscribe on the real gateway: fan-out to SSE clients, the overflow policy, topic rules.</summary>
[Collection(GatewayCollection.Name)]
public sealed class MessageBusTests(GatewayFixture fixture)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly HttpClient _gateway = fixture.Edge.Gateway;

    [Fact]
    public async Task Publish_TwentySseSubscribers_EveryClientGetsEveryMessageInOrder()
    {
        // Arrange
        var (feed, publish, count) = await BusEndpoints.DeployAsync(_admin);
        var topic = Unique.Name("fanout");
        var clients = new List<BusSse>();
        for (var i = 0; i < 20; i++)
        {
            clients.Add(await BusSse.OpenAsync(_gateway, $"{feed}?topic={topic}"));
        }

        (await Eventually.HoldsAsync(async () => await BusEndpoints.CountAsync(_gateway, count, topic) == 20, Wait)).ShouldBeTrue();

        // Act
        var reached = new List<int>();
        foreach (var message in new[] { "one", "two", "three" })
        {
            reached.Add(await BusEndpoints.PublishAsync(_gateway, publish, topic, message));
        }

        // Assert
        reached.ShouldAllBe(r => r == 20);
        foreach (var client in clients)
        {
            (await client.NextAsync(Wait)).ShouldBe("one");
            (await client.NextAsync(Wait)).ShouldBe("two");
            (await client.NextAsync(Wait)).ShouldBe("three");
            await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task Subscribe_ClientsLeave_SubscriptionsEndAndTheCountDropsToZero()
    {
        // Arrange: HttpClient streams and a curl -N, as a shell user would watch the feed.
        var (feed, publish, count) = await BusEndpoints.DeployAsync(_admin);
        var topic = Unique.Name("leave");
        var first = await BusSse.OpenAsync(_gateway, $"{feed}?topic={topic}");
        var second = await BusSse.OpenAsync(_gateway, $"{feed}?topic={topic}");
        using var curl = Process.Start(new ProcessStartInfo("curl", ["-s", "-N", $"http://127.0.0.1:{fixture.Edge.Port}{feed}?topic={topic}"]) { RedirectStandardOutput = true })!;
        (await Eventually.HoldsAsync(async () => await BusEndpoints.CountAsync(_gateway, count, topic) == 3, Wait)).ShouldBeTrue();
        await BusEndpoints.PublishAsync(_gateway, publish, topic, "hello all");
        (await first.NextAsync(Wait)).ShouldBe("hello all");
        (await curl.StandardOutput.ReadLineAsync()).ShouldBe(":ok");
        (await curl.StandardOutput.ReadLineAsync()).ShouldBe("");
        (await curl.StandardOutput.ReadLineAsync()).ShouldBe("data: hello all");

        // Act
        await first.DisposeAsync();
        curl.Kill();
        await curl.WaitForExitAsync();
        var afterTwoLeft = await Eventually.HoldsAsync(async () => await BusEndpoints.CountAsync(_gateway, count, topic) == 1, Wait);
        await second.DisposeAsync();
        var afterAllLeft = await Eventually.HoldsAsync(async () => await BusEndpoints.CountAsync(_gateway, count, topic) == 0, Wait);

        // Assert
        afterTwoLeft.ShouldBeTrue();
        afterAllLeft.ShouldBeTrue();
        (await BusEndpoints.PublishAsync(_gateway, publish, topic, "nobody listens")).ShouldBe(0);
    }

    [Fact]
    public async Task Subscribe_LongPollClientGivesUp_RequestAbortedEndsTheLoopQuietly()
    {
        // Arrange: a long poll: wait for the next message on the topic, or for the client to leave.
        var path = Unique.Path("poll");
        var topic = Unique.Name("poll");
        var id = await _admin.DeployNewAsync(new EndpointSpec
        {
            Path = path,
            Code = $$"""
                async Task<Response> Handle(Context ctx, Request req)
                {
                    await foreach (var message in ctx.Bus.SubscribeAsync("{{topic}}", ctx.RequestAborted))
                    {
                        return Response.Text(200, message);
                    }

                    ctx.Log($"long poll ended quietly, aborted={ctx.RequestAborted.IsCancellationRequested}");
                    return Response.NoContent();
                }
                """,
        });
        var count = Unique.Path("count");
        await _admin.DeployNewAsync(new EndpointSpec { Path = count, Code = BusEndpoints.Count });
        using var gaveUp = new CancellationTokenSource();
        var poll = _gateway.GetAsync(path, gaveUp.Token);
        (await Eventually.HoldsAsync(async () => await BusEndpoints.CountAsync(_gateway, count, topic) == 1, Wait)).ShouldBeTrue();

        // Act
        await gaveUp.CancelAsync();
        await Should.ThrowAsync<TaskCanceledException>(poll);
        var ended = await Eventually.HoldsAsync(async () => await BusEndpoints.CountAsync(_gateway, count, topic) == 0, Wait);

        // Assert
        ended.ShouldBeTrue();
        (await Eventually.HoldsAsync(async () => (await _admin.LogsAsync(id)).Any(l => l.Message == "long poll ended quietly, aborted=True"), Wait)).ShouldBeTrue();
        (await _admin.LogsAsync(id)).ShouldNotContain(l => l.Level == "error");
    }

    [Fact]
    public async Task Subscribe_SlowSubscriber_LosesItsOldestMessagesWhileAFastOneGetsAll()
    {
        // Arrange: a slow subscriber that stops reading after one message, and a fast one that reads everything.
        var path = Unique.Path("overflow");
        var id = await _admin.DeployNewAsync(new EndpointSpec
        {
            Path = path,
            Code = """
                using System.Threading;

                async Task<Response> Handle(Context ctx, Request req)
                {
                    var topic = "overflow-" + ctx.RequestId;
                    using var stop = new CancellationTokenSource();
                    var fastCount = 0;
                    var fastReady = new TaskCompletionSource();
                    var fast = Task.Run(async () =>
                    {
                        await foreach (var m in ctx.Bus.SubscribeAsync(topic, stop.Token))
                        {
                            if (m == "warmup") { fastReady.TrySetResult(); continue; }
                            Interlocked.Increment(ref fastCount);
                        }
                    });
                    await using var slow = ctx.Bus.SubscribeAsync(topic, stop.Token).GetAsyncEnumerator();
                    var firstRead = slow.MoveNextAsync();
                    while (ctx.Bus.SubscriberCount(topic) < 2) { await Task.Delay(5); }
                    await ctx.Bus.PublishAsync(topic, "warmup");
                    await firstRead;
                    await fastReady.Task;

                    for (var i = 0; i < 3000; i++)
                    {
                        await ctx.Bus.PublishAsync(topic, i.ToString());
                        if (i % 500 == 499)
                        {
                            // Let the fast reader catch up: it must never be the one that overflows.
                            while (Volatile.Read(ref fastCount) < i + 1) { await Task.Delay(1); }
                        }
                    }

                    await slow.MoveNextAsync();
                    var slowNext = slow.Current;
                    var slowCount = 1;
                    while (slowCount < 1024 && await slow.MoveNextAsync()) { slowCount++; }
                    var slowLast = slow.Current;
                    stop.Cancel();
                    await fast;
                    return Response.Ok(new { fast = fastCount, slowNext, slowLast, slowCount });
                }
                """,
        });

        // Act
        using var response = await _gateway.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        using var json = JsonDocument.Parse(body);
        json.RootElement.GetProperty("fast").GetInt32().ShouldBe(3000, body);
        json.RootElement.GetProperty("slowNext").GetString().ShouldBe((3000 - 1024).ToString(), body);
        json.RootElement.GetProperty("slowLast").GetString().ShouldBe("2999", body);
        json.RootElement.GetProperty("slowCount").GetInt32().ShouldBe(1024, body);
        (await Eventually.HoldsAsync(async () => (await _admin.LogsAsync(id)).Any(l => l.Message.Contains($"dropped {3000 - 1024} message(s)")), Wait))
            .ShouldBeTrue();
        (await _admin.StatsAsync()).GetProperty("bus").GetProperty("dropped").GetInt64().ShouldBeGreaterThanOrEqualTo(3000 - 1024);
    }

    [Fact]
    public async Task Publish_BadTopicOrMessageTooLarge_400And413WithTheReason()
    {
        // Arrange
        var path = Unique.Path("limits");
        await _admin.DeployNewAsync(new EndpointSpec
        {
            Path = path,
            Code = """
                async Task<Response> Handle(Context ctx, Request req)
                {
                    switch (req.RequireQueryParam("case"))
                    {
                        case "empty": await ctx.Bus.PublishAsync("", "x"); break;
                        case "control": await ctx.Bus.PublishAsync("bad\ntopic", "x"); break;
                        case "long": await ctx.Bus.PublishAsync(new string('t', 257), "x"); break;
                        case "subscribe-empty": ctx.Bus.SubscribeAsync(""); break;
                        case "big": await ctx.Bus.PublishAsync("big", new string('m', 1024 * 1024 + 1)); break;
                        case "max": await ctx.Bus.PublishAsync("big", new string('m', 1024 * 1024)); break;
                    }

                    return Response.Ok(new { published = true });
                }
                """,
        });

        // Act
        var outcomes = new Dictionary<string, (HttpStatusCode Status, string Body)>();
        foreach (var name in new[] { "empty", "control", "long", "subscribe-empty", "big", "max" })
        {
            using var response = await _gateway.GetAsync($"{path}?case={name}");
            outcomes[name] = (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        // Assert
        outcomes["empty"].Status.ShouldBe(HttpStatusCode.BadRequest);
        outcomes["empty"].Body.ShouldContain("bus topic must not be empty");
        outcomes["control"].Status.ShouldBe(HttpStatusCode.BadRequest);
        outcomes["control"].Body.ShouldContain("control characters (found U+000A)");
        outcomes["long"].Status.ShouldBe(HttpStatusCode.BadRequest);
        outcomes["long"].Body.ShouldContain("the limit is 256");
        outcomes["subscribe-empty"].Status.ShouldBe(HttpStatusCode.BadRequest);
        outcomes["big"].Status.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        outcomes["big"].Body.ShouldContain("the limit is 1048576 bytes");
        outcomes["max"].Status.ShouldBe(HttpStatusCode.OK);
    }
}
