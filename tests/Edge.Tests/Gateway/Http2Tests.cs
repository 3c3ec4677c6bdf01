using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway;

/// <summary>The optional cleartext HTTP/2 port (<c>--h2c-port</c>), against curl and .NET's HTTP/2 client.</summary>
public sealed class Http2Tests
{
    private const string Streamed = """
        async Task<Response> Handle(Context ctx, Request req) => Response.Stream(200, async s =>
        {
            await s.WriteAsync("hello ");
            await s.WriteAsync("over h2");
            s.AddTrailer("x-checksum", "sha256:abc");
        }, "text/plain");
        """;

    private const string Echo = """
        Response Handle(Context ctx, Request req) => Response.WebSocket(async ws =>
        {
            while (await ws.ReceiveAsync() is { } message)
            {
                if (message.Text == "bye")
                {
                    await ws.CloseAsync(4000, "bye");
                    return;
                }

                await ws.SendTextAsync("h2:" + message.Text);
            }
        });
        """;

    [Fact]
    public async Task H2cPort_PriorKnowledge_ServesTheSameRoutesWithTrailers()
    {
        // Arrange
        var h2c = FreePort.Next();
        await using var edge = await EdgeProcess.StartAsync(new EdgeProcessOptions { ExtraArgs = ["--h2c-port", h2c.ToString(CultureInfo.InvariantCulture)] });
        var path = Unique.Path();
        await edge.Admin.DeployNewAsync(new EndpointSpec { Path = path, Code = Streamed });
        using var client = new HttpClient
        {
            BaseAddress = new Uri($"http://127.0.0.1:{h2c}"),
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        // Act
        using var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        var (exit, curl) = await Curl.RunAsync("-s", "-i", "--http2-prior-knowledge", $"http://127.0.0.1:{h2c}{path}");

        // Assert
        response.Version.ShouldBe(HttpVersion.Version20);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        body.ShouldBe("hello over h2");
        response.TrailingHeaders.GetValues("x-checksum").Single().ShouldBe("sha256:abc");
        exit.ShouldBe(0, curl);
        curl.ShouldStartWith("HTTP/2 200");
        curl.ShouldContain("x-request-id: ");
        curl.ShouldContain("hello over h2");
    }

    [Fact]
    public async Task H2cPort_WebSocketOverExtendedConnect_EchoesAndCloses()
    {
        // Arrange
        var h2c = FreePort.Next();
        await using var edge = await EdgeProcess.StartAsync(new EdgeProcessOptions { ExtraArgs = ["--h2c-port", h2c.ToString(CultureInfo.InvariantCulture)] });
        var path = Unique.Path();
        await edge.Admin.DeployNewAsync(new EndpointSpec { Path = path, Code = Echo });
        using var handler = new SocketsHttpHandler();
        using var invoker = new HttpMessageInvoker(handler);
        using var ws = new ClientWebSocket();
        ws.Options.HttpVersion = HttpVersion.Version20;
        ws.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        ws.Options.CollectHttpResponseDetails = true;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        // Act: RFC 8441 (a CONNECT stream with :protocol websocket), not an HTTP/1.1 upgrade.
        await ws.ConnectAsync(new Uri($"ws://127.0.0.1:{h2c}{path}"), invoker, timeout.Token);
        await ws.SendAsync(Encoding.UTF8.GetBytes("over h2"), WebSocketMessageType.Text, true, timeout.Token);
        var buffer = new byte[1024];
        var echoed = await ws.ReceiveAsync(buffer, timeout.Token);
        var text = Encoding.UTF8.GetString(buffer, 0, echoed.Count);
        await ws.SendAsync(Encoding.UTF8.GetBytes("bye"), WebSocketMessageType.Text, true, timeout.Token);
        var closing = await ws.ReceiveAsync(buffer, timeout.Token);

        // Assert
        ws.HttpStatusCode.ShouldBe(HttpStatusCode.OK);
        text.ShouldBe("h2:over h2");
        closing.MessageType.ShouldBe(WebSocketMessageType.Close);
        ((int?)ws.CloseStatus).ShouldBe(4000);
    }

    [Fact]
    public async Task H2cPort_H2loadWithConcurrentStreams_EveryRequestSucceeds()
    {
        // Arrange
        var h2c = FreePort.Next();
        await using var edge = await EdgeProcess.StartAsync(new EdgeProcessOptions { ExtraArgs = ["--h2c-port", h2c.ToString(CultureInfo.InvariantCulture)] });
        var path = Unique.Path();
        await edge.Admin.DeployNewAsync(new EndpointSpec { Path = path, Code = "Response Handle(Context ctx, Request req) => Response.Ok(new { hello = \"h2\" });" });

        // Act: 4 connections, 10 concurrent streams each.
        var (exit, output, errors) = await Curl.RunToolAsync("h2load", "-n", "2000", "-c", "4", "-m", "10", $"http://127.0.0.1:{h2c}{path}");

        // Assert
        exit.ShouldBe(0, output + errors);
        output.ShouldContain("Application protocol: h2c");
        output.ShouldContain("2000 total, 2000 started, 2000 done, 2000 succeeded, 0 failed, 0 errored");
        output.ShouldContain("status codes: 2000 2xx, 0 3xx, 0 4xx, 0 5xx");
    }

    [Fact]
    public async Task H2cPort_SameAsGatewayPort_ExitsWithOneClearLine()
    {
        // Arrange
        using var data = new TempDir();
        var port = FreePort.Next().ToString(CultureInfo.InvariantCulture);

        // Act
        var result = await EdgeProcess.RunToExitAsync(
            ["--data", data.Path, "--port", port, "--admin-port", FreePort.Next().ToString(CultureInfo.InvariantCulture), "--h2c-port", port],
            TimeSpan.FromSeconds(30));

        // Assert
        result.ExitCode.ShouldBe(2, result.ToString());
        result.StdErrLines.ShouldHaveSingleItem().ShouldContain("--h2c-port");
    }
}
