using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Uploads;

/// <summary>The built-in <c>/stream</c> routes on folder storage, with curl: round trips, ranges, bad names and ids, limits.</summary>
public sealed class StreamFolderTests(StreamFolderFixture fixture) : IClassFixture<StreamFolderFixture>, IDisposable
{
    private readonly Uri _gateway = fixture.Edge.GatewayBase;
    private readonly HttpClient _http = fixture.Edge.Gateway;
    private readonly string _temp = Directory.CreateTempSubdirectory("edge-stream-client-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task Upload_ThenDownloadAndMetadata_ByteExactWithChecksum()
    {
        // Arrange
        var (file, data) = await WriteAsync(5 * 1024 * 1024 + 17);

        // Act
        var (status, body) = await StreamTransfer.UploadAsync(_gateway, "report%20%C3%A9t%C3%A9.pdf", file, contentType: "application/pdf");
        var id = StreamTransfer.IdOf(body);
        var target = Path.Combine(_temp, "down.bin");
        var downloaded = await StreamTransfer.DownloadAsync(_gateway, "/stream/download/" + id, target);
        using var metadata = await _http.GetAsync("/stream/metadata/" + id);
        using var download = await _http.GetAsync("/stream/download/" + id, HttpCompletionOption.ResponseHeadersRead);

        // Assert
        status.ShouldBe(201, body);
        downloaded.ShouldBe(200);
        (await File.ReadAllBytesAsync(target)).SequenceEqual(data).ShouldBeTrue();
        var sha = Convert.ToHexStringLower(SHA256.HashData(data));
        using var json = JsonDocument.Parse(await metadata.Content.ReadAsStringAsync());
        var root = json.RootElement;
        root.GetProperty("id").GetString().ShouldBe(id);
        id.ShouldMatch("^[0-9a-f]{32}$");
        root.GetProperty("file_name").GetString().ShouldBe("report été.pdf");
        root.GetProperty("size").GetInt64().ShouldBe(data.Length);
        root.GetProperty("content_type").GetString().ShouldBe("application/pdf");
        root.GetProperty("sha256").GetString().ShouldBe(sha);
        DateTimeOffset.Parse(root.GetProperty("created_at").GetString()!, System.Globalization.CultureInfo.InvariantCulture)
            .ShouldBeInRange(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
        body.ShouldBe(await metadata.Content.ReadAsStringAsync());
        download.Content.Headers.ContentType!.MediaType.ShouldBe("application/pdf");
        download.Content.Headers.ContentLength.ShouldBe(data.Length);
        download.Content.Headers.ContentDisposition!.FileNameStar.ShouldBe("report été.pdf");
    }

    [Fact]
    public async Task Upload_Chunked_StoredWhole()
    {
        // Arrange
        var (file, data) = await WriteAsync(3 * 1024 * 1024 + 5);

        // Act
        var (status, body) = await StreamTransfer.UploadAsync(_gateway, "chunked.bin", file, chunked: true);
        var target = Path.Combine(_temp, "down.bin");
        var downloaded = await StreamTransfer.DownloadAsync(_gateway, "/stream/download/" + StreamTransfer.IdOf(body), target);

        // Assert
        status.ShouldBe(201, body);
        body.ShouldContain("\"content_type\":\"application/octet-stream\"");
        body.ShouldContain($"\"sha256\":\"{Convert.ToHexStringLower(SHA256.HashData(data))}\"");
        downloaded.ShouldBe(200);
        (await File.ReadAllBytesAsync(target)).SequenceEqual(data).ShouldBeTrue();
    }

    [Fact]
    public async Task Download_RangeAndConditional_206ExactBytesAnd304()
    {
        // Arrange
        var (file, data) = await WriteAsync(1_000_000);
        var id = StreamTransfer.IdOf((await StreamTransfer.UploadAsync(_gateway, "ranged.bin", file)).Body);
        var target = Path.Combine(_temp, "part.bin");

        // Act
        var status = await StreamTransfer.DownloadAsync(_gateway, "/stream/download/" + id, target, "-r", "1000-1999");
        using var first = await _http.GetAsync("/stream/download/" + id);
        using var again = new HttpRequestMessage(HttpMethod.Get, "/stream/download/" + id);
        again.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using var conditional = await _http.SendAsync(again);

        // Assert
        status.ShouldBe(206);
        (await File.ReadAllBytesAsync(target)).SequenceEqual(data[1000..2000]).ShouldBeTrue();
        conditional.StatusCode.ShouldBe(HttpStatusCode.NotModified);
    }

    [Theory]
    [InlineData("..%2F..%2Fetc%2Fpasswd")]
    [InlineData("../../etc/passwd")]
    [InlineData("..")]
    [InlineData("%2e%2e")]
    [InlineData("a%5Cb")]
    [InlineData("a%0Ab")]
    [InlineData("a%7Fb")]
    [InlineData("a%01b")]
    public async Task Upload_HostileName_400AndNothingStored(string name)
    {
        // Arrange
        var (file, _) = await WriteAsync(100);
        var before = Directory.GetFiles(fixture.Folder, "*", SearchOption.AllDirectories).Length;

        // Act
        var (status, body) = await StreamTransfer.UploadAsync(_gateway, name, file);

        // Assert
        status.ShouldBe(400, body);
        body.ShouldContain("file name");
        Directory.GetFiles(fixture.Folder, "*", SearchOption.AllDirectories).Length.ShouldBeLessThanOrEqualTo(before);
    }

    [Fact]
    public async Task Upload_NameTooLong_400()
    {
        // Arrange
        var (file, _) = await WriteAsync(10);

        // Act
        var (status, body) = await StreamTransfer.UploadAsync(_gateway, new string('n', 256), file);
        var (okStatus, _) = await StreamTransfer.UploadAsync(_gateway, new string('n', 255), file);

        // Assert
        status.ShouldBe(400, body);
        body.ShouldContain("at most 255");
        okStatus.ShouldBe(201);
    }

    [Fact]
    public async Task UnknownAndMalformedIds_404And400()
    {
        // Act
        using var unknownDownload = await _http.GetAsync("/stream/download/" + new string('a', 32));
        using var unknownMetadata = await _http.GetAsync("/stream/metadata/" + new string('b', 32));
        using var unknownDelete = await _http.DeleteAsync("/stream/files/" + new string('c', 32));
        using var malformed = await _http.GetAsync("/stream/download/not-an-id");
        using var upper = await _http.GetAsync("/stream/metadata/" + new string('A', 32));

        // Assert
        unknownDownload.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await unknownDownload.Content.ReadAsStringAsync()).ShouldContain("no file with id");
        unknownMetadata.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        unknownDelete.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        malformed.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await malformed.Content.ReadAsStringAsync()).ShouldContain("malformed file id");
        upper.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Upload_OverMaxBytes_413AndNoFileLeft()
    {
        // Arrange
        var (file, _) = await WriteAsync((int)StreamFolderFixture.MaxBytes + 1);
        var before = Directory.GetFiles(fixture.Folder).Length;

        // Act
        var (declared, declaredBody) = await StreamTransfer.UploadAsync(_gateway, "big.bin", file);
        var (chunked, chunkedBody) = await StreamTransfer.UploadAsync(_gateway, "big.bin", file, chunked: true);

        // Assert
        declared.ShouldBe(413, declaredBody);
        declaredBody.ShouldContain("--stream-max-bytes");
        chunked.ShouldBe(413, chunkedBody);
        chunkedBody.ShouldContain("--stream-max-bytes");
        (await Eventually.HoldsAsync(() => Task.FromResult(Directory.GetFiles(fixture.Folder).Length == before), TimeSpan.FromSeconds(10)))
            .ShouldBeTrue(string.Join(", ", Directory.GetFiles(fixture.Folder, "*", SearchOption.AllDirectories)));
    }

    [Fact]
    public async Task Upload_ClientGoesAwayMidBody_NoPartialFileLeft()
    {
        // Arrange
        var before = Directory.GetFiles(fixture.Folder).Length;
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, fixture.Edge.Port);
        var stream = client.GetStream();

        // Act: announce a megabyte, send a kilobyte, hang up.
        await stream.WriteAsync(Encoding.ASCII.GetBytes("POST /stream/upload/cut.bin HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000000\r\n\r\n"));
        await stream.WriteAsync(new byte[1000]);
        await Task.Delay(300);
        client.Client.Shutdown(SocketShutdown.Both);
        client.Close();

        // Assert
        (await Eventually.HoldsAsync(() => Task.FromResult(Directory.GetFiles(fixture.Folder).Length == before), TimeSpan.FromSeconds(10)))
            .ShouldBeTrue(string.Join(", ", Directory.GetFiles(fixture.Folder)));
    }

    [Fact]
    public async Task Delete_RemovesTheFile_ThenItIsGone()
    {
        // Arrange
        var (file, _) = await WriteAsync(1000);
        var id = StreamTransfer.IdOf((await StreamTransfer.UploadAsync(_gateway, "gone.txt", file)).Body);

        // Act
        using var deleted = await _http.DeleteAsync("/stream/files/" + id);
        using var after = await _http.GetAsync("/stream/download/" + id);

        // Assert
        deleted.StatusCode.ShouldBe(HttpStatusCode.OK);
        after.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        File.Exists(Path.Combine(fixture.Folder, id)).ShouldBeFalse();
        File.Exists(Path.Combine(fixture.Folder, id + ".json")).ShouldBeFalse();
    }

    [Fact]
    public async Task WrongMethod_405WithAllow()
    {
        // Act
        using var get = await _http.GetAsync("/stream/upload/x.bin");
        using var post = await _http.PostAsync("/stream/download/" + new string('a', 32), new StringContent("x"));

        // Assert
        get.StatusCode.ShouldBe(HttpStatusCode.MethodNotAllowed);
        get.Content.Headers.Allow.ShouldBe(["POST"]);
        post.StatusCode.ShouldBe(HttpStatusCode.MethodNotAllowed);
    }

    private async Task<(string File, byte[] Data)> WriteAsync(int size)
    {
        var data = RandomNumberGenerator.GetBytes(size);
        var file = Path.Combine(_temp, Guid.NewGuid().ToString("N"));
        await File.WriteAllBytesAsync(file, data);
        return (file, data);
    }
}
