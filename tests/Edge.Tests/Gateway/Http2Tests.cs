using System.Globalization;
using System.Net;
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
