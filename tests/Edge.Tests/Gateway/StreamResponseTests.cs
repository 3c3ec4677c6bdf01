using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway;

/// <summary><c>Response.Stream</c> against real clients: chunks as they are produced, trailers, a client that leaves.</summary>
[Collection(GatewayCollection.Name)]
public sealed class StreamResponseTests(GatewayFixture fixture)
{
    private const string WithTrailer = """
        async Task<Response> Handle(Context ctx, Request req) => Response.Stream(200, async s =>
        {
            await s.WriteAsync("hello");
            await s.WriteAsync(new byte[] { 0x20, 0x77, 0x6f, 0x72, 0x6c, 0x64 });
            s.AddTrailer("x-checksum", "sha256:abc");
        }, "text/plain");
        """;

    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly HttpClient _gateway = fixture.Edge.Gateway;

    [Fact]
    public async Task Stream_Http11_ChunkedFramingAndTrailerSectionAreByteExact()
    {
        // Arrange
        var path = Unique.Path();
        await _admin.DeployNewAsync(new EndpointSpec { Path = path, Code = WithTrailer });

        // Act: a raw socket, so the framing itself is what is compared.
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, fixture.Edge.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        using var reader = new MemoryStream();
        await stream.CopyToAsync(reader);
        var raw = Encoding.ASCII.GetString(reader.ToArray());

        // Assert
        raw.ShouldStartWith("HTTP/1.1 200 OK\r\n");
        var head = raw[..raw.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
        head.ShouldContain("Transfer-Encoding: chunked", Case.Insensitive);
        head.ShouldContain("Content-Type: text/plain", Case.Insensitive);
        raw[(head.Length + 4)..].ShouldBe("5\r\nhello\r\n6\r\n world\r\n0\r\nx-checksum: sha256:abc\r\n\r\n");
    }

    [Fact]
    public async Task Stream_HttpClient_ReadsBodyAndTrailingHeaders()
    {
        // Arrange
        var path = Unique.Path();
        await _admin.DeployNewAsync(new EndpointSpec { Path = path, Code = WithTrailer });

        // Act
        using var response = await _gateway.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        body.ShouldBe("hello world");
        response.TrailingHeaders.GetValues("x-checksum").Single().ShouldBe("sha256:abc");
    }

    [Fact]
    public async Task Stream_Curl_ShowsTheTrailer()
    {
        // Arrange
        var path = Unique.Path();
        await _admin.DeployNewAsync(new EndpointSpec { Path = path, Code = WithTrailer });

        // Act
        var (exit, output) = await Curl.RunAsync("-s", "--raw", $"http://127.0.0.1:{fixture.Edge.Port}{path}");

        // Assert
        exit.ShouldBe(0, output);
        output.ShouldBe("5\r\nhello\r\n6\r\n world\r\n0\r\nx-checksum: sha256:abc\r\n\r\n");
    }

    [Fact]
    public async Task Stream_ChunksReachTheClientWhileTheHandlerIsStillWriting()
    {
        // Arrange
        var path = Unique.Path();
        await _admin.DeployNewAsync(new EndpointSpec
        {
            Path = path,
            Code = """
                async Task<Response> Handle(Context ctx, Request req) => Response.Stream(200, async s =>
                {
                    await s.WriteAsync("first\n");
                    await Task.Delay(1500, s.Aborted);
                    await s.WriteAsync("second\n");
                });
                """,
        });

        // Act
        var clock = Stopwatch.StartNew();
        using var response = await _gateway.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        using var body = new StreamReader(await response.Content.ReadAsStreamAsync());
        var first = await body.ReadLineAsync();
        var firstAt = clock.Elapsed;
        var second = await body.ReadLineAsync();
        var secondAt = clock.Elapsed;

        // Assert
        first.ShouldBe("first");
        second.ShouldBe("second");
        firstAt.ShouldBeLessThan(TimeSpan.FromMilliseconds(1000), "the first chunk must not wait for the handler to finish");
        secondAt.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(1400));
    }

    [Fact]
    public async Task Stream_ClientGoesAway_WriterIsCancelledAndTheStreamEndsCleanly()
    {
        // Arrange
        var path = Unique.Path();
        var id = await _admin.DeployNewAsync(new EndpointSpec
        {
            Path = path,
            Code = """
                async Task<Response> Handle(Context ctx, Request req) => Response.Stream(200, async s =>
                {
                    try
                    {
                        while (true)
                        {
                            await s.WriteAsync("tick\n");
                            await Task.Delay(20, s.Aborted);
                        }
                    }
                    finally
                    {
                        ctx.Log($"writer stopped, aborted={s.Aborted.IsCancellationRequested}");
                    }
                });
                """,
        });

        // Act: read a few chunks, then hang up.
        using (var response = await _gateway.GetAsync(path, HttpCompletionOption.ResponseHeadersRead))
        using (var body = new StreamReader(await response.Content.ReadAsStreamAsync()))
        {
            for (var i = 0; i < 3; i++)
            {
                (await body.ReadLineAsync()).ShouldBe("tick");
            }
        }

        // Assert
        var stopped = await Eventually.HoldsAsync(async () =>
            (await _admin.LogsAsync(id)).Any(l => l.Message.Contains("writer stopped, aborted=True", StringComparison.Ordinal)), TimeSpan.FromSeconds(10));
        stopped.ShouldBeTrue(string.Join("\n", (await _admin.LogsAsync(id)).Select(l => l.Message)));
        (await _admin.LogsAsync(id)).ShouldNotContain(l => l.Level == "error");
    }

    [Fact]
    public async Task Stream_WriterThrowsBeforeWriting_ClientGetsTheErrorStatus()
    {
        // Arrange
        var path = Unique.Path();
        await _admin.DeployNewAsync(new EndpointSpec
        {
            Path = path,
            Code = """
                Response Handle(Context ctx, Request req) => Response.Stream(200, s => throw HandlerError.Conflict("not ready"));
                """,
        });

        // Act
        using var response = await _gateway.GetAsync(path);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await response.JsonAsync()).Str("error").ShouldBe("not ready");
    }

    [Fact]
    public async Task Stream_WriterThrowsMidway_ConnectionIsCutNotEndedCleanly()
    {
        // Arrange
        var path = Unique.Path();
        var id = await _admin.DeployNewAsync(new EndpointSpec
        {
            Path = path,
            Code = """
                async Task<Response> Handle(Context ctx, Request req) => Response.Stream(200, async s =>
                {
                    await s.WriteAsync("partial");
                    throw new InvalidOperationException("boom");
                });
                """,
        });

        // Act: the cut may reach the client before or after the headers; either way reading fails.
        var failure = await Should.ThrowAsync<Exception>(async () =>
        {
            using var response = await _gateway.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
            await response.Content.ReadAsStringAsync();
        });

        // Assert: the client can tell a broken stream from a finished one.
        failure.ShouldBeAssignableTo<HttpRequestException>();
        (await _admin.LogsAsync(id)).ShouldContain(l => l.Level == "error" && l.Message.Contains("boom", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stream_RedeployWhileStreaming_OpenStreamFinishesOnItsVersion()
    {
        // Arrange
        const string Slow = """
            async Task<Response> Handle(Context ctx, Request req) => Response.Stream(200, async s =>
            {
                for (var i = 0; i < 10; i++)
                {
                    await s.WriteAsync("VERSION\n");
                    await Task.Delay(100, s.Aborted);
                }
            });
            """;
        var path = Unique.Path();
        var id = await _admin.DeployNewAsync(new EndpointSpec { Path = path, Code = Slow.Replace("VERSION", "v1", StringComparison.Ordinal) });
        using var open = await _gateway.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        using var body = new StreamReader(await open.Content.ReadAsStreamAsync());
        (await body.ReadLineAsync()).ShouldBe("v1");

        // Act
        await _admin.RedeployAsync(id, Slow.Replace("VERSION", "v2", StringComparison.Ordinal));
        var rest = await body.ReadToEndAsync();
        var fresh = await _gateway.GetStringAsync(path);

        // Assert
        rest.Split('\n', StringSplitOptions.RemoveEmptyEntries).ShouldBe(Enumerable.Repeat("v1", 9));
        fresh.Split('\n', StringSplitOptions.RemoveEmptyEntries).ShouldBe(Enumerable.Repeat("v2", 10));
    }
}
