using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway;

/// <summary>Response header names go out lower-cased on HTTP/1.1 too, checked on the raw bytes of real responses.</summary>
[Collection(GatewayCollection.Name)]
public sealed partial class HeaderCaseTests(GatewayFixture fixture)
{
    private const string WithHeaders = """
        async Task<Response> Handle(Context ctx, Request req) =>
            Response.Text(200, "Content-Type: Not-A-Header\r\n\r\nX-Body: " + (req.Body ?? "")).WithHeader("X-Custom-Thing", "KeepCase");
        """;

    private readonly HttpClient _admin = fixture.Edge.Admin;

    [Fact]
    public async Task Http11_KeepAliveResponses_EveryHeaderNameLowerCasedBodiesUntouched()
    {
        // Arrange
        var path = Unique.Path();
        await _admin.DeployNewAsync(new EndpointSpec { Path = path, Code = WithHeaders });

        // Act: two requests on one connection, the second one closing it.
        var raw = await ExchangeAsync(fixture.Edge.Port, $"GET {path} HTTP/1.1\r\nHost: x\r\n\r\nGET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

        // Assert
        var responses = raw.Split("HTTP/1.1 200 OK\r\n", StringSplitOptions.RemoveEmptyEntries);
        responses.Length.ShouldBe(2);
        foreach (var response in responses)
        {
            var head = response[..response.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
            HeaderNames(head).ShouldAllBe(name => name == name.ToLowerInvariant());
            head.ShouldContain("x-custom-thing: KeepCase");
            head.ShouldContain("content-type: text/plain");
            response.ShouldEndWith("\r\n\r\nContent-Type: Not-A-Header\r\n\r\nX-Body: ");
        }
    }

    [Fact]
    public async Task Http11_ExpectContinue_InterimAndFinalHeadsBothLowerCased()
    {
        // Arrange
        var path = Unique.Path();
        await _admin.DeployNewAsync(new EndpointSpec { Path = path, Method = "POST", Code = WithHeaders });
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, fixture.Edge.Port);
        var stream = client.GetStream();

        // Act: the body follows only once the 100 Continue has arrived.
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST {path} HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\nConnection: close\r\n\r\n"));
        var interim = new byte[25];
        await stream.ReadExactlyAsync(interim);
        await stream.WriteAsync(Encoding.ASCII.GetBytes("Hello"));
        using var rest = new MemoryStream();
        await stream.CopyToAsync(rest);
        var final = Encoding.ASCII.GetString(rest.ToArray());

        // Assert
        Encoding.ASCII.GetString(interim).ShouldBe("HTTP/1.1 100 Continue\r\n\r\n");
        final.ShouldStartWith("HTTP/1.1 200 OK\r\n");
        var head = final[..final.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
        HeaderNames(head).ShouldAllBe(name => name == name.ToLowerInvariant());
        HeaderNames(head).ShouldContain("content-length");
        final.ShouldEndWith("X-Body: Hello");
    }

    [Fact]
    public async Task Http11_AdminPort_HeaderNamesLowerCased()
    {
        // Act
        var raw = await ExchangeAsync(fixture.Edge.AdminPort, "GET /api/nothing-here HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

        // Assert
        var head = raw[..raw.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
        HeaderNames(head).ShouldNotBeEmpty();
        HeaderNames(head).ShouldAllBe(name => name == name.ToLowerInvariant());
    }

    private static async Task<string> ExchangeAsync(int port, string requests)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(requests));
        using var reader = new MemoryStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await stream.CopyToAsync(reader, timeout.Token);
        return Encoding.ASCII.GetString(reader.ToArray());
    }

    private static List<string> HeaderNames(string head) =>
        [.. HeaderLine().Matches(head).Select(m => m.Groups[1].Value)];

    [GeneratedRegex(@"\r\n([^:\r\n]+):", RegexOptions.CultureInvariant)]
    private static partial Regex HeaderLine();
}
