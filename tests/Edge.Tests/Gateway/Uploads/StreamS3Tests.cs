using System.Net;
using System.Security.Cryptography;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Uploads;

/// <summary>The built-in <c>/stream</c> routes on the real S3 store: multipart round trips, and a store that is down.</summary>
public sealed class StreamS3Tests(StreamS3Fixture fixture) : IClassFixture<StreamS3Fixture>, IDisposable
{
    private readonly Uri _gateway = fixture.Edge.GatewayBase;
    private readonly HttpClient _http = fixture.Edge.Gateway;
    private readonly string _temp = Directory.CreateTempSubdirectory("edge-stream-s3-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Theory]
    [InlineData(20 * 1024 * 1024 + 3, true)]
    [InlineData(20 * 1024 * 1024 + 3, false)]
    [InlineData(1000, false)]
    [InlineData(0, false)]
    public async Task Upload_ThenDownload_ByteExactWithChecksum(int size, bool chunked)
    {
        // Arrange: 20 MiB goes up as three multipart parts; 1000 bytes as one PUT.
        var data = RandomNumberGenerator.GetBytes(size);
        var file = Path.Combine(_temp, "up.bin");
        await File.WriteAllBytesAsync(file, data);

        // Act
        var (status, body) = await StreamTransfer.UploadAsync(_gateway, "s3%20file.bin", file, chunked, "application/x-test");
        var id = StreamTransfer.IdOf(body);
        var target = Path.Combine(_temp, "down.bin");
        var downloaded = await StreamTransfer.DownloadAsync(_gateway, "/stream/download/" + id, target);
        using var metadata = await _http.GetAsync("/stream/metadata/" + id);
        using var head = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/stream/download/" + id));
        using var deleted = await _http.DeleteAsync("/stream/files/" + id);

        // Assert
        status.ShouldBe(201, body);
        downloaded.ShouldBe(200);
        (await File.ReadAllBytesAsync(target)).SequenceEqual(data).ShouldBeTrue();
        var json = await metadata.Content.ReadAsStringAsync();
        json.ShouldBe(body);
        json.ShouldContain($"\"sha256\":\"{Convert.ToHexStringLower(SHA256.HashData(data))}\"");
        json.ShouldContain($"\"size\":{size}");
        json.ShouldContain("\"file_name\":\"s3 file.bin\"");
        head.Content.Headers.ContentLength.ShouldBe(size);
        head.Content.Headers.ContentType!.MediaType.ShouldBe("application/x-test");
        deleted.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task UnknownId_404()
    {
        // Act
        using var response = await _http.GetAsync("/stream/download/" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task StoreDown_503NamingTheService()
    {
        // Arrange: a service on a port nothing listens on.
        var dead = Unique.Name("deads3");
        var port = FreePort.Next();
        await using var edge = await EdgeProcess.StartAsync(new EdgeProcessOptions { ExtraArgs = ["--stream-auth", "none", "--stream-storage", "s3:" + dead] });
        await edge.Admin.CreateServiceAsync(TestServices.S3(dead, new { endpoint = $"http://127.0.0.1:{port}" }));
        var file = Path.Combine(_temp, "small.bin");
        await File.WriteAllBytesAsync(file, new byte[100]);

        // Act
        var (status, body) = await StreamTransfer.UploadAsync(edge.GatewayBase, "x.bin", file);
        using var download = await edge.Gateway.GetAsync("/stream/metadata/" + new string('a', 32));

        // Assert
        status.ShouldBe(503, body);
        body.ShouldContain($"service '{dead}'");
        download.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await download.Content.ReadAsStringAsync()).ShouldContain($"service '{dead}'");
    }

    [Fact]
    public async Task ServiceMissing_503SaysItIsNotActive()
    {
        // Arrange
        var missing = Unique.Name("nos3");
        await using var edge = await EdgeProcess.StartAsync(new EdgeProcessOptions { ExtraArgs = ["--stream-auth", "none", "--stream-storage", "s3:" + missing] });

        // Act
        using var response = await edge.Gateway.GetAsync("/stream/metadata/" + new string('a', 32));

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await response.Content.ReadAsStringAsync()).ShouldContain($"service '{missing}' is not active");
    }
}
