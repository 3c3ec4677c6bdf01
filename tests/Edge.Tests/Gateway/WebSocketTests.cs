using System.Net;
using System.Net.WebSockets;
using System.Text;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway;

/// <summary><c>Response.WebSocket</c> with a real client (.NET's ClientWebSocket) over the gateway port.</summary>
[Collection(GatewayCollection.Name)]
public sealed class WebSocketTests(GatewayFixture fixture)
{
    private const string Echo = """
        Response Handle(Context ctx, Request req) => Response.WebSocket(async ws =>
        {
            ws.MaxMessageBytes = 64 * 1024;
            while (await ws.ReceiveAsync() is { } message)
            {
                if (message.IsText && message.Text == "bye")
                {
                    await ws.CloseAsync(4000, "bye to you");
                    return;
                }

                if (message.IsText)
                {
                    await ws.SendTextAsync("VERSION:" + message.Text);
                }
                else
                {
                    await ws.SendBinaryAsync(message.Data);
                }
            }
        });
        """;

    private readonly HttpClient _admin = fixture.Edge.Admin;

    [Fact]
    public async Task WebSocket_Echo_TextAndBinaryMessagesAndACloseCode()
    {
        // Arrange
        var path = Unique.Path();
        await _admin.DeployNewAsync(new EndpointSpec { Path = path, Code = Echo.Replace("VERSION", "v1", StringComparison.Ordinal) });
        using var ws = await ConnectAsync(path);
        var big = new byte[40_000];
        Random.Shared.NextBytes(big);

        // Act
        await SendTextAsync(ws, "hello");
        var text = await ReceiveAsync(ws);
        await ws.SendAsync(big, WebSocketMessageType.Binary, true, CancellationToken.None);
        var binary = await ReceiveAsync(ws);
        await SendTextAsync(ws, "bye");
        var closing = await ReceiveAsync(ws);

        // Assert
        text.Type.ShouldBe(WebSocketMessageType.Text);
        Encoding.UTF8.GetString(text.Data).ShouldBe("v1:hello");
        binary.Type.ShouldBe(WebSocketMessageType.Binary);
        binary.Data.ShouldBe(big);
        closing.Type.ShouldBe(WebSocketMessageType.Close);
        ((int?)ws.CloseStatus).ShouldBe(4000);
        ws.CloseStatusDescription.ShouldBe("bye to you");
    }

    [Fact]
    public async Task WebSocket_NodeClient_EchoesTextAndBinaryAndSeesTheCloseCode()
    {
        // Arrange: Node's own WebSocket client (undici), independent of .NET's.
        var path = Unique.Path();
        await _admin.DeployNewAsync(new EndpointSpec { Path = path, Code = Echo.Replace("VERSION", "node", StringComparison.Ordinal) });
        var script = Path.Combine(AppContext.BaseDirectory, "Gateway", "Clients", "ws-client.mjs");

        // Act
        var (exit, output, errors) = await Curl.RunToolAsync("node", "--experimental-websocket", "--no-warnings", script, $"ws://127.0.0.1:{fixture.Edge.Port}{path}");

        // Assert
        exit.ShouldBe(0, errors);
        output.Trim().ShouldBe("""{"received":[{"text":"node:hello"},{"binary":40000,"intact":true}],"code":4000,"reason":"bye to you"}""", errors);
    }

    [Fact]
    public async Task WebSocket_MessageOverTheLimit_ClosedWith1009()
    {
        // Arrange
        var path = Unique.Path();
        await _admin.DeployNewAsync(new EndpointSpec { Path = path, Code = Echo });
        using var ws = await ConnectAsync(path);

        // Act
        await ws.SendAsync(new byte[100_000], WebSocketMessageType.Binary, true, CancellationToken.None);
        var reply = await ReceiveAsync(ws);

        // Assert
        reply.Type.ShouldBe(WebSocketMessageType.Close);
        ((int?)ws.CloseStatus).ShouldBe(1009);
    }

    [Fact]
    public async Task WebSocket_PlainRequest_Gets400()
    {
        // Arrange
        var path = Unique.Path();
        await _admin.DeployNewAsync(new EndpointSpec { Path = path, Code = Echo });

        // Act
        using var response = await fixture.Edge.Gateway.GetAsync(path);

        // Assert
        (await response.ShouldBeGatewayErrorAsync(HttpStatusCode.BadRequest)).Str("error").ShouldContain("WebSocket");
    }

    [Fact]
    public async Task WebSocket_RedeployWithASocketOpen_OldSocketKeepsItsVersionNewOnesGetTheNew()
    {
        // Arrange
        var path = Unique.Path();
        var id = await _admin.DeployNewAsync(new EndpointSpec { Path = path, Code = Echo.Replace("VERSION", "v1", StringComparison.Ordinal) });
        using var old = await ConnectAsync(path);
        await SendTextAsync(old, "a");
        Encoding.UTF8.GetString((await ReceiveAsync(old)).Data).ShouldBe("v1:a");

        // Act
        await _admin.RedeployAsync(id, Echo.Replace("VERSION", "v2", StringComparison.Ordinal));
        using var fresh = await ConnectAsync(path);
        await SendTextAsync(old, "b");
        await SendTextAsync(fresh, "c");

        // Assert
        Encoding.UTF8.GetString((await ReceiveAsync(old)).Data).ShouldBe("v1:b");
        Encoding.UTF8.GetString((await ReceiveAsync(fresh)).Data).ShouldBe("v2:c");
    }

    private async Task<ClientWebSocket> ConnectAsync(string path)
    {
        var ws = new ClientWebSocket();
        await ws.ConnectAsync(new Uri($"ws://127.0.0.1:{fixture.Edge.Port}{path}"), CancellationToken.None);
        return ws;
    }

    private static Task SendTextAsync(ClientWebSocket ws, string text) =>
        ws.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    private static async Task<(WebSocketMessageType Type, byte[] Data)> ReceiveAsync(ClientWebSocket ws)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var message = new MemoryStream();
        var buffer = new byte[8192];
        while (true)
        {
            var result = await ws.ReceiveAsync(buffer, timeout.Token);
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage || result.MessageType == WebSocketMessageType.Close)
            {
                return (result.MessageType, message.ToArray());
            }
        }
    }
}
