using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Hosting;

/// <summary>The defaults that protect the gateway from slow, greedy or lying clients, on the real binary.</summary>
public sealed class HardeningTests
{
    private const string Slow = """
        async Task<Response> Handle(Context ctx, Request req)
        {
            await Task.Delay(2000, ctx.RequestAborted);
            return Response.Ok(new { done = true });
        }
        """;

    private const string ClientIp = """
        Response Handle(Context ctx, Request req) => Response.Text(200, req.ClientIp ?? "none");
        """;

    [Fact]
    public async Task Slowloris_HeadersDribbledIn_ConnectionCutAtTheHeaderTimeout()
    {
        // Arrange
        await using var edge = await EdgeProcess.StartAsync(new EdgeProcessOptions { ExtraArgs = ["--header-timeout", "2"] });
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, edge.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n"));
        var clock = Stopwatch.StartNew();

        // Act: one header byte every 300 ms, never finishing, until the gateway gives up on us.
        var cut = false;
        while (clock.Elapsed < TimeSpan.FromSeconds(15) && !cut)
        {
            try
            {
                await stream.WriteAsync("X"u8.ToArray());
                await Task.Delay(300);
                cut = client.Client.Poll(0, SelectMode.SelectRead) && (client.Available == 0 || await ReadsResponseAsync(stream));
            }
            catch (IOException)
            {
                cut = true;
            }
        }

        // Assert
        cut.ShouldBeTrue();
        clock.Elapsed.ShouldBeGreaterThan(TimeSpan.FromSeconds(1.5));
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(8));
    }

    [Fact]
    public async Task SlowBody_BelowTheMinimumRate_RequestCutOff()
    {
        // Arrange
        await using var edge = await EdgeProcess.StartAsync();
        var path = Unique.Path();
        await edge.Admin.DeployNewAsync(new EndpointSpec { Path = path, Method = "POST", Code = ClientIp });
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, edge.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n"));
        var clock = Stopwatch.StartNew();

        // Act: 10 bytes a second, far below 240 B/s.
        var answer = "";
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            try
            {
                await stream.WriteAsync(new byte[10]);
            }
            catch (IOException)
            {
                break;
            }

            await Task.Delay(1000);
            if (client.Client.Poll(0, SelectMode.SelectRead))
            {
                var buffer = new byte[4096];
                var read = client.Available == 0 ? 0 : await stream.ReadAsync(buffer);
                answer = Encoding.ASCII.GetString(buffer, 0, read);
                break;
            }
        }

        // Assert: cut (with a 408 when Kestrel can still answer) well before the body could have arrived.
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(15));
        if (answer.Length > 0)
        {
            answer.ShouldStartWith("HTTP/1.1 408");
        }
    }

    [Fact]
    public async Task MaxConcurrentRequests_FloodOnASlowEndpoint_ExtraRequestsGet503WithRetryAfter()
    {
        // Arrange
        await using var edge = await EdgeProcess.StartAsync(new EdgeProcessOptions { ExtraArgs = ["--max-concurrent-requests", "2"] });
        var path = Unique.Path();
        await edge.Admin.DeployNewAsync(new EndpointSpec { Path = path, Code = Slow });

        // Act
        var responses = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => edge.Gateway.GetAsync(path)));

        // Assert
        responses.Count(r => r.StatusCode == HttpStatusCode.OK).ShouldBe(2);
        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.ServiceUnavailable).ToList();
        refused.Count.ShouldBe(3);
        foreach (var response in refused)
        {
            response.Headers.RetryAfter!.Delta.ShouldBe(TimeSpan.FromSeconds(1));
            (await response.ShouldBeGatewayErrorAsync(HttpStatusCode.ServiceUnavailable)).Str("error").ShouldContain("limit of 2 requests in flight");
        }

        using var after = await edge.Gateway.GetAsync(path);
        after.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task MaxConnections_OneTooMany_ClosedAtOnceUntilASlotFrees()
    {
        // Arrange
        await using var edge = await EdgeProcess.StartAsync(new EdgeProcessOptions { ExtraArgs = ["--max-connections", "2"] });
        var path = Unique.Path();
        await edge.Admin.DeployNewAsync(new EndpointSpec { Path = path, Code = ClientIp });
        using var first = await OpenAsync(edge.Port);
        using var second = await OpenAsync(edge.Port);
        (await GetAsync(first, path)).ShouldStartWith("HTTP/1.1 200");
        (await GetAsync(second, path)).ShouldStartWith("HTTP/1.1 200");

        // Act
        var refused = await FreshGetAsync(edge.Port, path);
        first.Dispose();
        var fourth = "";
        await Eventually.HoldsAsync(
            async () =>
            {
                fourth = await FreshGetAsync(edge.Port, path);
                return fourth.StartsWith("HTTP/1.1 200", StringComparison.Ordinal);
            },
            TimeSpan.FromSeconds(10),
            pollMs: 200);

        // Assert
        refused.ShouldBe("");
        fourth.ShouldStartWith("HTTP/1.1 200");
        (await GetAsync(second, path)).ShouldStartWith("HTTP/1.1 200");
    }

    [Fact]
    public async Task HugeHeaders_Get431()
    {
        // Arrange
        await using var edge = await EdgeProcess.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/anything");
        request.Headers.Add("X-Big", new string('a', 40 * 1024));

        // Act
        using var response = await edge.Gateway.SendAsync(request);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.RequestHeaderFieldsTooLarge);
    }

    [Fact]
    public async Task TrustedProxies_ForwardedHeaders_BelievedOnlyFromTrustedPeers()
    {
        // Arrange
        await using var trusting = await EdgeProcess.StartAsync(new EdgeProcessOptions { ExtraArgs = ["--trusted-proxies", "10.0.0.0/8,127.0.0.1"] });
        await using var plain = await EdgeProcess.StartAsync();
        var path = Unique.Path();
        await trusting.Admin.DeployNewAsync(new EndpointSpec { Path = path, Code = ClientIp });
        await plain.Admin.DeployNewAsync(new EndpointSpec { Path = path, Code = ClientIp });

        // Act
        var viaProxies = await GetTextAsync(trusting, path, ("X-Forwarded-For", "198.51.100.1, 203.0.113.9, 10.1.2.3"));
        var forwarded = await GetTextAsync(trusting, path, ("Forwarded", "for=\"[2001:db8::7]:4711\";proto=https"));
        var ignored = await GetTextAsync(plain, path, ("X-Forwarded-For", "203.0.113.9"));

        // Assert: the rightmost address no trusted proxy added is the client; 198.51.100.1 is whatever the client claimed.
        viaProxies.ShouldBe("203.0.113.9");
        forwarded.ShouldBe("2001:db8::7");
        ignored.ShouldBe("127.0.0.1");
    }

    [Fact]
    public async Task AdminResponses_CarrySecurityHeaders_EvenWhenUnauthorised()
    {
        // Arrange
        await using var edge = await EdgeProcess.StartAsync();
        using var anonymous = new HttpClient { BaseAddress = edge.AdminBase };

        // Act
        using var ok = await edge.Admin.GetAsync("/api/endpoints");
        using var denied = await anonymous.GetAsync("/api/endpoints");

        // Assert
        foreach (var response in new[] { ok, denied })
        {
            response.Headers.GetValues("X-Content-Type-Options").Single().ShouldBe("nosniff");
            response.Headers.GetValues("X-Frame-Options").Single().ShouldBe("DENY");
            response.Headers.GetValues("Referrer-Policy").Single().ShouldBe("no-referrer");
            response.Headers.CacheControl!.NoStore.ShouldBeTrue();
        }

        denied.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("--trusted-proxies", "10.0.0.0/33", "--trusted-proxies takes CIDR ranges")]
    [InlineData("--max-concurrent-requests", "-1", "--max-concurrent-requests must be a whole number")]
    [InlineData("--header-timeout", "0", "--header-timeout must be 1 to 300 seconds")]
    public async Task CommandLine_BadLimit_ExitsTwoWithOneLine(string flag, string value, string expected)
    {
        // Arrange
        using var data = new TempDir();

        // Act
        var result = await EdgeProcess.RunToExitAsync(["--data", data.Path, flag, value], TimeSpan.FromSeconds(30));

        // Assert
        result.ExitCode.ShouldBe(2, result.ToString());
        result.StdErrLines.ShouldHaveSingleItem().ShouldContain(expected);
    }

    private static async Task<string> GetTextAsync(EdgeProcess edge, string path, (string Name, string Value) header)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation(header.Name, header.Value);
        using var response = await edge.Gateway.SendAsync(request);
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task<bool> ReadsResponseAsync(NetworkStream stream)
    {
        var buffer = new byte[1024];
        return await stream.ReadAsync(buffer) >= 0;
    }

    private static async Task<TcpClient> OpenAsync(int port)
    {
        var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        return client;
    }

    /// <summary>A GET on a new connection; "" when the connection is refused, reset or closed before an answer.</summary>
    private static async Task<string> FreshGetAsync(int port, string path)
    {
        try
        {
            using var client = await OpenAsync(port);
            return await GetAsync(client, path);
        }
        catch (SocketException)
        {
            return "";
        }
    }

    /// <summary>One keep-alive GET on an open connection: the response head and body, or "" when the connection is closed.</summary>
    private static async Task<string> GetAsync(TcpClient client, string path)
    {
        try
        {
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n"));
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var buffer = new byte[4096];
            var read = await stream.ReadAsync(buffer, timeout.Token);
            return Encoding.ASCII.GetString(buffer, 0, read);
        }
        catch (Exception ex) when (ex is IOException or SocketException)
        {
            return "";
        }
    }
}
