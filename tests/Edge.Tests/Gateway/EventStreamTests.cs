using System.Diagnostics;
using System.Net;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway;

/// <summary><c>Response.EventStream</c>: server-sent events as a browser's EventSource and curl -N read them.</summary>
[Collection(GatewayCollection.Name)]
public sealed class EventStreamTests(GatewayFixture fixture)
{
    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly HttpClient _gateway = fixture.Edge.Gateway;

    [Fact]
    public async Task EventStream_Events_WrittenInTheEventStreamFormat()
    {
        // Arrange
        var path = Unique.Path();
        await _admin.DeployNewAsync(new EndpointSpec
        {
            Path = path,
            Code = """
                Response Handle(Context ctx, Request req) => Response.EventStream(async (events, ct) =>
                {
                    await events.SendAsync("first");
                    await events.SendAsync("line one\nline two", eventName: "multi", id: "2");
                    await events.RetryAsync(TimeSpan.FromSeconds(3));
                });
                """,
        });

        // Act
        using var response = await _gateway.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
        response.Headers.CacheControl!.NoCache.ShouldBeTrue();
        body.ShouldBe(":ok\n\ndata: first\n\nid: 2\nevent: multi\ndata: line one\ndata: line two\n\nretry: 3000\n\n");
    }

    [Fact]
    public async Task EventStream_Reconnect_LastEventIdReachesTheHandler()
    {
        // Arrange
        var path = Unique.Path();
        await _admin.DeployNewAsync(new EndpointSpec
        {
            Path = path,
            Code = """
                Response Handle(Context ctx, Request req) => Response.EventStream(async (events, ct) =>
                    await events.SendAsync($"resuming after {req.LastEventId ?? "nothing"}"));
                """,
        });
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Last-Event-ID", "41");

        // Act
        using var response = await _gateway.SendAsync(request);

        // Assert
        (await response.Content.ReadAsStringAsync()).ShouldContain("data: resuming after 41\n\n");
    }

    [Fact]
    public async Task EventStream_Idle_HeartbeatsKeepItAliveThenTheEventArrives()
    {
        // Arrange
        var path = Unique.Path();
        await _admin.DeployNewAsync(new EndpointSpec
        {
            Path = path,
            Code = """
                Response Handle(Context ctx, Request req) => Response.EventStream(async (events, ct) =>
                {
                    events.HeartbeatInterval = TimeSpan.FromSeconds(1);
                    await Task.Delay(2500, ct);
                    await events.SendAsync("late");
                });
                """,
        });

        // Act: curl -N, as a shell user would watch a feed.
        using var curl = Process.Start(new ProcessStartInfo("curl", ["-s", "-N", $"http://127.0.0.1:{fixture.Edge.Port}{path}"]) { RedirectStandardOutput = true })!;
        var output = await curl.StandardOutput.ReadToEndAsync();
        await curl.WaitForExitAsync();

        // Assert
        curl.ExitCode.ShouldBe(0);
        output.IndexOf(": heartbeat\n\n", StringComparison.Ordinal).ShouldBeGreaterThan(0, output);
        output.IndexOf(": heartbeat\n\n", StringComparison.Ordinal).ShouldBeLessThan(output.IndexOf("data: late", StringComparison.Ordinal), output);
        output.ShouldEndWith("data: late\n\n");
    }

    [Fact]
    public async Task EventStream_ClientLeaves_TheRunsTokenIsCancelled()
    {
        // Arrange
        var path = Unique.Path();
        var id = await _admin.DeployNewAsync(new EndpointSpec
        {
            Path = path,
            Code = """
                Response Handle(Context ctx, Request req) => Response.EventStream(async (events, ct) =>
                {
                    try
                    {
                        for (var i = 0; ; i++)
                        {
                            await events.SendAsync($"tick {i}", id: i.ToString());
                            await Task.Delay(20, ct);
                        }
                    }
                    finally
                    {
                        ctx.Log($"feed ended, cancelled={ct.IsCancellationRequested}");
                    }
                });
                """,
        });

        // Act
        using (var response = await _gateway.GetAsync(path, HttpCompletionOption.ResponseHeadersRead))
        using (var reader = new StreamReader(await response.Content.ReadAsStreamAsync()))
        {
            while ((await reader.ReadLineAsync()) is { } line && !line.StartsWith("data: tick 2", StringComparison.Ordinal))
            {
            }
        }

        // Assert
        (await Eventually.HoldsAsync(async () =>
            (await _admin.LogsAsync(id)).Any(l => l.Message.Contains("feed ended, cancelled=True", StringComparison.Ordinal)), TimeSpan.FromSeconds(10)))
            .ShouldBeTrue();
    }
}
