using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway;

/// <summary><c>req.BodyStream</c> and the <c>stream_body</c> endpoint setting, against curl and a raw socket.</summary>
[Collection(GatewayCollection.Name)]
public sealed class BodyStreamTests(GatewayFixture fixture) : IDisposable
{
    // Reads the body in 64 KiB reads with a running count and a SHA-256; answers both.
    private const string Counter = """
        async Task<Response> Handle(Context ctx, Request req)
        {
            using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
            var buffer = new byte[64 * 1024];
            long count = 0;
            int read;
            while ((read = await req.BodyStream.ReadAsync(buffer, ctx.RequestAborted)) > 0)
            {
                count += read;
                sha.AppendData(buffer, 0, read);
            }

            ctx.Log($"handler read {count} bytes");
            return Response.Ok(new { count, sha256 = Convert.ToHexStringLower(sha.GetHashAndReset()) });
        }
        """;

    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly HttpClient _gateway = fixture.Edge.Gateway;
    private readonly string _temp = Directory.CreateTempSubdirectory("edge-bodystream-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task BodyStream_LargeChunkedBody_HandlerCountsEveryByte()
    {
        // Arrange
        var data = RandomNumberGenerator.GetBytes(48 * 1024 * 1024);
        var file = Path.Combine(_temp, "body.bin");
        await File.WriteAllBytesAsync(file, data);
        var (_, url) = await DeployAsync(Counter, streamBody: true, maxBody: 64L * 1024 * 1024);

        // Act
        var (exit, output) = await Curl.RunAsync("-sS", "-X", "POST", "-H", "Transfer-Encoding: chunked", "-H", "Content-Type: application/octet-stream",
            "--data-binary", "@" + file, "-w", "\n%{http_code}", url);

        // Assert
        exit.ShouldBe(0);
        var (status, body) = Split(output);
        status.ShouldBe(200, body);
        using var json = JsonDocument.Parse(body);
        json.RootElement.GetProperty("count").GetInt64().ShouldBe(data.Length);
        json.RootElement.GetProperty("sha256").GetString().ShouldBe(Convert.ToHexStringLower(SHA256.HashData(data)));
    }

    [Fact]
    public async Task BodyStream_FirstChunk_ReachesHandlerBeforeTheBodyEnds()
    {
        // Arrange: the handler answers as soon as it has read 5 bytes; the client sends 5 and then waits.
        const string code = """
            async Task<Response> Handle(Context ctx, Request req)
            {
                var buffer = new byte[5];
                await req.BodyStream.ReadExactlyAsync(buffer, ctx.RequestAborted);
                return Response.Text(200, "first:" + System.Text.Encoding.ASCII.GetString(buffer));
            }
            """;
        var (_, url) = await DeployAsync(code, streamBody: true);
        var path = new Uri(url).PathAndQuery;
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, fixture.Edge.Port);
        var stream = client.GetStream();
        var head = $"POST {path} HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n";

        // Act
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var received = new StringBuilder();
        var buffer = new byte[4096];
        while (!received.ToString().Contains("first:hello", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            if (read == 0)
            {
                break;
            }

            received.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        // Assert: the answer came while the body was still open.
        received.ToString().ShouldStartWith("HTTP/1.1 200");
        received.ToString().ShouldContain("first:hello");
    }

    [Fact]
    public async Task BodyStream_BrokenChunks_400()
    {
        // Arrange
        var (_, url) = await DeployAsync(Counter, streamBody: true);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, fixture.Edge.Port);
        var stream = client.GetStream();

        // Act: "zz" is not a chunk size.
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST {new Uri(url).PathAndQuery} HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var received = new StringBuilder();
        var buffer = new byte[4096];
        int read;
        while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
        {
            received.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        // Assert
        received.ToString().ShouldStartWith("HTTP/1.1 400");
        received.ToString().ShouldContain("bad request body");
    }

    [Fact]
    public async Task BodyStream_ContentLengthOverLimit_413BeforeTheHandler()
    {
        // Arrange
        var (id, url) = await DeployAsync(Counter, streamBody: true, maxBody: 1000);

        // Act
        using var response = await _gateway.PostAsync(url, new ByteArrayContent(new byte[2000]));

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await response.Content.ReadAsStringAsync()).ShouldContain("exceeds the endpoint's limit of 1000 bytes");
        (await _admin.LogsAsync(id)).ShouldNotContain(l => l.Message.Contains("handler read", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BodyStream_ChunkedOverLimit_413FromTheRead()
    {
        // Arrange
        var file = Path.Combine(_temp, "over.bin");
        await File.WriteAllBytesAsync(file, RandomNumberGenerator.GetBytes(300_000));
        var (id, url) = await DeployAsync(Counter, streamBody: true, maxBody: 100_000);

        // Act
        var (_, output) = await Curl.RunAsync("-sS", "-X", "POST", "-H", "Transfer-Encoding: chunked", "--data-binary", "@" + file, "-w", "\n%{http_code}", url);
        var (_, exact) = await Curl.RunAsync("-sS", "-X", "POST", "-H", "Transfer-Encoding: chunked", "--data-binary", "@" + await WriteAsync(100_000), "-w", "\n%{http_code}", url);

        // Assert: one byte over fails; exactly the limit passes.
        var (status, body) = Split(output);
        status.ShouldBe(413, body);
        body.ShouldContain("exceeds the endpoint's limit of 100000 bytes");
        (await _admin.LogsAsync(id)).ShouldNotContain(l => l.Message.Contains("handler read 300000", StringComparison.Ordinal));
        Split(exact).Status.ShouldBe(200, exact);
        Split(exact).Body.ShouldContain("\"count\":100000");
    }

    [Fact]
    public async Task BodyStream_EndpointWithoutStreamBody_ReadsTheBufferedBody()
    {
        // Arrange
        var (_, url) = await DeployAsync(Counter, streamBody: false);
        var data = RandomNumberGenerator.GetBytes(100_000);

        // Act
        using var response = await _gateway.PostAsync(url, new ByteArrayContent(data));
        var body = await response.Content.ReadAsStringAsync();

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        body.ShouldContain($"\"count\":{data.Length}");
        body.ShouldContain(Convert.ToHexStringLower(SHA256.HashData(data)));
    }

    [Fact]
    public async Task Body_OnStreamBodyEndpoint_ClearErrorPointingToBodyStream()
    {
        // Arrange
        var (_, url) = await DeployAsync("Response Handle(Context ctx, Request req) => Response.Text(200, req.Body ?? \"\");", streamBody: true);

        // Act
        using var response = await _gateway.PostAsync(url, new StringContent("hello"));

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        (await response.Content.ReadAsStringAsync()).ShouldContain("use req.BodyStream");
    }

    [Fact]
    public async Task StreamBody_WithRequestValidation_ParametersCheckedBodyNot()
    {
        // Arrange: the operation wants a JSON object body and an integer ?n; the endpoint streams its body.
        var (id, url) = await DeployAsync(Counter, streamBody: true);
        var operation = new
        {
            operation = new
            {
                parameters = new[] { new { name = "n", @in = "query", required = true, schema = new { type = "integer" } } },
                requestBody = new
                {
                    required = true,
                    content = new Dictionary<string, object> { ["application/json"] = new { schema = new { type = "object", required = new[] { "item" } } } },
                },
            },
        };
        (await _admin.UpdateEndpointAsync(id, new { openapi = operation, validate_requests = true })).ShouldSucceed();

        // Act
        using var badParameter = await _gateway.PostAsync(url + "?n=abc", new StringContent("not json", Encoding.UTF8, "application/json"));
        using var bodyNotChecked = await _gateway.PostAsync(url + "?n=5", new StringContent("not json", Encoding.UTF8, "application/json"));

        // Assert
        badParameter.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await badParameter.Content.ReadAsStringAsync()).ShouldContain("/n");
        bodyNotChecked.StatusCode.ShouldBe(HttpStatusCode.OK, await bodyNotChecked.Content.ReadAsStringAsync());
        (await bodyNotChecked.Content.ReadAsStringAsync()).ShouldContain("\"count\":8");
    }

    [Fact]
    public async Task StreamBody_AdminField_DefaultsFalseChangesAndRefusesNonBooleans()
    {
        // Arrange
        var created = (await _admin.CreateEndpointAsync(new EndpointSpec { Path = Unique.Path(), Method = "POST", Code = Counter })).ShouldSucceed();

        // Act
        var updated = (await _admin.UpdateEndpointAsync(created.Id, new { stream_body = true })).ShouldSucceed();
        var refused = await _admin.UpdateEndpointAsync(created.Id, new { stream_body = "yes" });
        var shown = (await _admin.GetEndpointAsync(created.Id)).ShouldSucceed();

        // Assert
        created.Data.Bool("stream_body").ShouldBeFalse();
        updated.Data.Bool("stream_body").ShouldBeTrue();
        refused.ShouldFail(HttpStatusCode.BadRequest).Error!.ShouldContain("stream_body");
        shown.Data.Bool("stream_body").ShouldBeTrue();
    }

    private static (int Status, string Body) Split(string output)
    {
        var newline = output.LastIndexOf('\n');
        return (int.Parse(output[(newline + 1)..], System.Globalization.CultureInfo.InvariantCulture), output[..newline]);
    }

    private async Task<string> WriteAsync(int size)
    {
        var file = Path.Combine(_temp, $"exact-{size}.bin");
        await File.WriteAllBytesAsync(file, RandomNumberGenerator.GetBytes(size));
        return file;
    }

    private async Task<(string Id, string Url)> DeployAsync(string code, bool streamBody, long? maxBody = null)
    {
        var path = Unique.Path();
        var id = await _admin.DeployNewAsync(new EndpointSpec { Path = path, Method = "POST", Code = code, StreamBody = streamBody, MaxBodyBytes = maxBody });
        return (id, new Uri(fixture.Edge.GatewayBase, path).ToString());
    }
}
