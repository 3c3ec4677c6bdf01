using System.Net;
using System.Text.Json;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Admin;

[Collection(GatewayCollection.Name)]
public sealed class LogsApiTests(GatewayFixture fixture)
{
    private const string Logging = """
        Response Handle(Context ctx, Request req)
        {
            ctx.Log("said " + req.Query["word"]);
            return Response.Text(200, "ok");
        }
        """;

    private readonly EdgeProcess _edge = fixture.Edge;

    [Fact]
    public async Task Logs_AfterSeq_OnlyNewerLinesEachWithSeq()
    {
        // Arrange
        var (id, path) = await DeployAsync();
        await SayAsync(path, "a");
        await SayAsync(path, "b");
        await SayAsync(path, "c");
        var all = (await _edge.Admin.GetApiAsync($"/api/endpoints/{id}/logs")).ShouldSucceed().Items;
        var saidA = all.Single(l => l.Str("message") == "said a");

        // Act
        var after = (await _edge.Admin.GetApiAsync($"/api/endpoints/{id}/logs?after={saidA.Num("seq")}")).ShouldSucceed().Items;
        var limited = (await _edge.Admin.GetApiAsync($"/api/endpoints/{id}/logs?after={saidA.Num("seq")}&limit=1")).ShouldSucceed().Items;
        var none = (await _edge.Admin.GetApiAsync($"/api/endpoints/{id}/logs?after={all[^1].Num("seq")}")).ShouldSucceed().Items;

        // Assert
        all.Select(l => l.Num("seq")).ShouldBe(all.Select(l => l.Num("seq")).Order());
        all.Select(l => l.Num("seq")).Distinct().Count().ShouldBe(all.Count);
        saidA.Str("request_id").ShouldNotBeNullOrEmpty();
        saidA.Str("level").ShouldBe("info");
        saidA.Str("time").ShouldEndWith("Z");
        after.Select(l => l.Str("message")).ShouldBe(["said b", "said c"]);
        limited.Select(l => l.Str("message")).ShouldBe(["said b"]);
        none.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("?after=-1")]
    [InlineData("?after=x")]
    [InlineData("?limit=0")]
    public async Task Logs_BadQuery_400(string query)
    {
        // Arrange
        var (id, _) = await DeployAsync();

        // Act
        var answer = await _edge.Admin.GetApiAsync($"/api/endpoints/{id}/logs{query}");

        // Assert
        answer.ShouldFail(HttpStatusCode.BadRequest).Error!.ShouldStartWith("invalid request:");
    }

    [Fact]
    public async Task Stream_NewLine_ArrivesAsAnEventWithItsSeq()
    {
        // Arrange
        var (id, path) = await DeployAsync();
        var last = await LastSeqAsync(id);
        using var stream = await OpenStreamAsync($"/api/endpoints/{id}/logs/stream?after={last}");

        // Act
        await SayAsync(path, "live");
        var (eventId, data) = await stream.NextEventAsync();

        // Assert
        stream.Response.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
        data.Str("message").ShouldBe("said live");
        data.Num("seq").ShouldBe(long.Parse(eventId));
        data.Num("seq").ShouldBeGreaterThan(last);
        data.Str("request_id").ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task Stream_LastEventId_ResumesAfterIt()
    {
        // Arrange
        var (id, path) = await DeployAsync();
        await SayAsync(path, "one");
        await SayAsync(path, "two");
        var lines = (await _edge.Admin.GetApiAsync($"/api/endpoints/{id}/logs")).ShouldSucceed().Items;
        var one = lines.Single(l => l.Str("message") == "said one").Num("seq");

        // Act
        using var stream = await OpenStreamAsync($"/api/endpoints/{id}/logs/stream", lastEventId: one.ToString());
        var (_, first) = await stream.NextEventAsync();

        // Assert
        first.Str("message").ShouldBe("said two");
    }

    [Fact]
    public async Task Stream_Idle_SendsAHeartbeatComment()
    {
        // Arrange
        var (id, _) = await DeployAsync();
        using var stream = await OpenStreamAsync($"/api/endpoints/{id}/logs/stream?after={await LastSeqAsync(id)}");

        // Act
        var line = await stream.NextLineAsync(l => l.StartsWith(':'), TimeSpan.FromSeconds(20));

        // Assert
        line.ShouldBe(": heartbeat");
    }

    [Fact]
    public async Task Stream_BadLastEventIdOrUnknownEndpoint_Refused()
    {
        // Arrange
        var (id, _) = await DeployAsync();
        using var bad = new HttpRequestMessage(HttpMethod.Get, $"/api/endpoints/{id}/logs/stream");
        bad.Headers.TryAddWithoutValidation("Last-Event-ID", "yesterday");

        // Act
        var badAnswer = await _edge.Admin.SendParsedAsync(bad);
        var unknown = await _edge.Admin.GetApiAsync("/api/endpoints/nope/logs/stream");

        // Assert
        badAnswer.ShouldFail(HttpStatusCode.BadRequest).Error!.ShouldContain("Last-Event-ID");
        unknown.ShouldFail(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task EndpointView_WhileAnOldVersionDrains_ShowsDraining()
    {
        // Arrange
        var path = Unique.Path("draining");
        var id = await _edge.Admin.DeployNewAsync(new EndpointSpec
        {
            Path = path,
            Code = """
                async Task<Response> Handle(Context ctx, Request req)
                {
                    ctx.Log("slow started");
                    await Task.Delay(1500);
                    return Response.Text(200, "old");
                }
                """,
        });
        var inFlight = _edge.Gateway.GetAsync(path);
        (await Eventually.HoldsAsync(async () => (await _edge.Admin.LogsAsync(id)).Any(l => l.Message == "slow started"), TimeSpan.FromSeconds(5))).ShouldBeTrue();

        // Act
        await _edge.Admin.RedeployAsync(id, """Response Handle(Context ctx, Request req) => Response.Text(200, "new");""");
        var during = (await _edge.Admin.GetEndpointAsync(id)).ShouldSucceed().Data;
        var listed = (await _edge.Admin.GetApiAsync("/api/endpoints")).ShouldSucceed().Items.Single(e => e.Str("id") == id);
        using var old = await inFlight;
        var drained = await Eventually.HoldsAsync(async () => (await _edge.Admin.GetEndpointAsync(id)).Data.Num("draining") == 0, TimeSpan.FromSeconds(5));

        // Assert
        during.Num("draining").ShouldBe(1);
        listed.Num("draining").ShouldBe(1);
        (await old.Content.ReadAsStringAsync()).ShouldBe("old");
        drained.ShouldBeTrue();
    }

    private async Task<(string Id, string Path)> DeployAsync()
    {
        var path = Unique.Path("logs");
        return (await _edge.Admin.DeployNewAsync(new EndpointSpec { Path = path, Code = Logging }), path);
    }

    private async Task SayAsync(string path, string word)
    {
        using var response = await _edge.Gateway.GetAsync($"{path}?word={word}");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private async Task<long> LastSeqAsync(string id) =>
        (await _edge.Admin.GetApiAsync($"/api/endpoints/{id}/logs")).ShouldSucceed().Items[^1].Num("seq");

    private async Task<EventStream> OpenStreamAsync(string path, string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (lastEventId is not null)
        {
            request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        }

        var response = await _edge.Admin.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return new EventStream(response, new StreamReader(await response.Content.ReadAsStreamAsync()));
    }

    private sealed class EventStream(HttpResponseMessage response, StreamReader reader) : IDisposable
    {
        public HttpResponseMessage Response => response;

        public async Task<string> NextLineAsync(Func<string, bool> wanted, TimeSpan timeout)
        {
            using var cancel = new CancellationTokenSource(timeout);
            while (true)
            {
                var line = await reader.ReadLineAsync(cancel.Token) ?? throw new InvalidOperationException("the stream ended");
                if (wanted(line))
                {
                    return line;
                }
            }
        }

        /// <summary>The next event: its id and its data as JSON.</summary>
        public async Task<(string Id, JsonElement Data)> NextEventAsync()
        {
            var id = (await NextLineAsync(l => l.StartsWith("id: ", StringComparison.Ordinal), TimeSpan.FromSeconds(10)))[4..];
            var data = await reader.ReadLineAsync() ?? "";
            data.ShouldStartWith("data: ");
            using var json = JsonDocument.Parse(data[6..]);
            return (id, json.RootElement.Clone());
        }

        public void Dispose()
        {
            reader.Dispose();
            response.Dispose();
        }
    }
}
