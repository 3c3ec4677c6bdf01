using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Bus;

/// <summary>The handlers the bus tests deploy: an SSE feed of a topic, a publisher and a subscriber counter.</summary>
internal static class BusEndpoints
{
    public const string Feed = """
        Response Handle(Context ctx, Request req) => Response.EventStream(async (events, ct) =>
        {
            await foreach (var message in ctx.Bus.SubscribeAsync(req.RequireQueryParam("topic"), ct))
            {
                await events.SendAsync(message);
            }
        });
        """;

    public const string Publish = """
        async Task<Response> Handle(Context ctx, Request req)
        {
            var reached = await ctx.Bus.PublishAsync(req.RequireQueryParam("topic"), req.Body ?? "");
            return Response.Ok(new { reached });
        }
        """;

    public const string Count = """
        Response Handle(Context ctx, Request req) => Response.Ok(new { count = ctx.Bus.SubscriberCount(req.RequireQueryParam("topic")) });
        """;

    /// <summary>Deploys the three on <paramref name="admin"/>; returns their paths (feed, publish, count).</summary>
    public static async Task<(string Feed, string Publish, string Count)> DeployAsync(HttpClient admin)
    {
        var feed = Unique.Path("feed");
        var publish = Unique.Path("publish");
        var count = Unique.Path("count");
        await admin.DeployNewAsync(new EndpointSpec { Path = feed, Code = Feed });
        await admin.DeployNewAsync(new EndpointSpec { Path = publish, Method = "POST", Code = Publish });
        await admin.DeployNewAsync(new EndpointSpec { Path = count, Code = Count });
        return (feed, publish, count);
    }

    public static async Task<int> CountAsync(HttpClient gateway, string countPath, string topic)
    {
        using var response = await gateway.GetAsync($"{countPath}?topic={Uri.EscapeDataString(topic)}");
        response.EnsureSuccessStatusCode();
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("count").GetInt32();
    }

    public static async Task<int> PublishAsync(HttpClient gateway, string publishPath, string topic, string message)
    {
        using var response = await gateway.PostAsync($"{publishPath}?topic={Uri.EscapeDataString(topic)}", new StringContent(message));
        response.EnsureSuccessStatusCode();
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("reached").GetInt32();
    }
}
