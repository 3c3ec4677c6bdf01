using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway;

/// <summary><c>Response.File</c> against real clients: confinement to file_roots, validators, conditionals and ranges.</summary>
[Collection(GatewayCollection.Name)]
public sealed class FileResponseTests : IDisposable
{
    private const int Size = 1024 * 1024;

    // The file comes from ?f=, the region from ?offset= and ?length=.
    private const string Serve = """
        Task<Response> Handle(Context ctx, Request req) => Task.FromResult(Response.File(
            req.RequireQueryParam("f"), req.QueryParam("type"),
            req.QueryParam("offset") is { } o ? long.Parse(o) : 0,
            req.QueryParam("length") is { } l ? long.Parse(l) : null));
        """;

    private readonly GatewayFixture _fixture;
    private readonly HttpClient _admin;
    private readonly HttpClient _gateway;
    private readonly string _temp;
    private readonly string _root;
    private readonly string _file;
    private readonly byte[] _data;

    public FileResponseTests(GatewayFixture fixture)
    {
        _fixture = fixture;
        _admin = fixture.Edge.Admin;
        _gateway = fixture.Edge.Gateway;
        _temp = Directory.CreateTempSubdirectory("edge-file-").FullName;
        _root = Path.Combine(_temp, "root");
        Directory.CreateDirectory(_root);
        _file = Path.Combine(_root, "data.bin");
        _data = RandomNumberGenerator.GetBytes(Size);
        File.WriteAllBytes(_file, _data);
    }

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task File_FullGet_ByteExactWithValidators()
    {
        // Arrange
        var url = await DeployAsync(_file);

        // Act
        using var response = await _gateway.GetAsync(url);
        var body = await response.Content.ReadAsByteArrayAsync();

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        SHA256.HashData(body).ShouldBe(SHA256.HashData(_data));
        response.Content.Headers.ContentLength.ShouldBe(Size);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/octet-stream");
        response.Headers.AcceptRanges.ShouldContain("bytes");
        response.Headers.ETag.ShouldNotBeNull();
        response.Content.Headers.LastModified.ShouldBe(TruncatedMtime(_file));
    }

    [Fact]
    public async Task File_ContentType_FromExtensionOrGiven()
    {
        // Arrange
        var text = Path.Combine(_root, "note.txt");
        await File.WriteAllTextAsync(text, "hello");
        var url = await DeployAsync(text);

        // Act
        using var guessed = await _gateway.GetAsync(url);
        using var given = await _gateway.GetAsync(url + "&type=" + Uri.EscapeDataString("application/x-custom"));

        // Assert
        guessed.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
        (await guessed.Content.ReadAsStringAsync()).ShouldBe("hello");
        given.Content.Headers.ContentType!.MediaType.ShouldBe("application/x-custom");
    }

    [Theory]
    [InlineData("bytes=0-99", 0, 100)]
    [InlineData("bytes=-500", Size - 500, 500)]
    [InlineData("bytes=1048000-", 1048000, Size - 1048000)]
    [InlineData("bytes=1048500-2000000", 1048500, Size - 1048500)]
    public async Task Range_Satisfiable_Returns206WithExactBytes(string range, int from, int count)
    {
        // Arrange
        var url = await DeployAsync(_file);

        // Act
        using var response = await GetAsync(url, r => r.Headers.TryAddWithoutValidation("Range", range));
        var body = await response.Content.ReadAsByteArrayAsync();

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.PartialContent);
        response.Content.Headers.ContentRange!.ToString().ShouldBe($"bytes {from}-{from + count - 1}/{Size}");
        body.ShouldBe(_data.AsSpan(from, count).ToArray());
    }

    [Theory]
    [InlineData("bytes=2000000-")]
    [InlineData("bytes=1048576-")]
    [InlineData("bytes=-0")]
    public async Task Range_Unsatisfiable_Returns416WithTotal(string range)
    {
        // Arrange
        var url = await DeployAsync(_file);

        // Act
        using var response = await GetAsync(url, r => r.Headers.TryAddWithoutValidation("Range", range));

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.RequestedRangeNotSatisfiable);
        response.Content.Headers.ContentRange!.ToString().ShouldBe($"bytes */{Size}");
    }

    [Fact]
    public async Task Range_Several_AnsweredWithTheWholeBody()
    {
        // Arrange
        var url = await DeployAsync(_file);

        // Act
        using var response = await GetAsync(url, r => r.Headers.TryAddWithoutValidation("Range", "bytes=0-9,20-29"));

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsByteArrayAsync()).Length.ShouldBe(Size);
    }

    [Fact]
    public async Task Conditional_IfNoneMatchWithETag_Returns304()
    {
        // Arrange
        var url = await DeployAsync(_file);
        using var first = await _gateway.GetAsync(url);
        var etag = first.Headers.ETag!;

        // Act
        using var response = await GetAsync(url, r => r.Headers.IfNoneMatch.Add(etag));
        using var other = await GetAsync(url, r => r.Headers.TryAddWithoutValidation("If-None-Match", "\"other\""));

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.NotModified);
        response.Headers.ETag.ShouldBe(etag);
        (await response.Content.ReadAsByteArrayAsync()).ShouldBeEmpty();
        other.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Conditional_IfModifiedSince_Returns304UnlessChangedSince()
    {
        // Arrange
        var url = await DeployAsync(_file);
        var modified = TruncatedMtime(_file);

        // Act
        using var same = await GetAsync(url, r => r.Headers.IfModifiedSince = modified);
        using var older = await GetAsync(url, r => r.Headers.IfModifiedSince = modified.AddHours(-1));
        using var ignored = await GetAsync(url, r =>
        {
            r.Headers.IfModifiedSince = modified;
            r.Headers.TryAddWithoutValidation("If-None-Match", "\"other\"");
        });

        // Assert
        same.StatusCode.ShouldBe(HttpStatusCode.NotModified);
        older.StatusCode.ShouldBe(HttpStatusCode.OK);
        ignored.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Range_IfRangeMismatch_Returns200Full_MatchReturns206()
    {
        // Arrange
        var url = await DeployAsync(_file);
        using var first = await _gateway.GetAsync(url);
        var etag = first.Headers.ETag!.Tag;

        // Act
        using var mismatch = await GetAsync(url, r =>
        {
            r.Headers.TryAddWithoutValidation("Range", "bytes=0-99");
            r.Headers.TryAddWithoutValidation("If-Range", "\"stale\"");
        });
        using var match = await GetAsync(url, r =>
        {
            r.Headers.TryAddWithoutValidation("Range", "bytes=0-99");
            r.Headers.TryAddWithoutValidation("If-Range", etag);
        });

        // Assert
        mismatch.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await mismatch.Content.ReadAsByteArrayAsync()).Length.ShouldBe(Size);
        match.StatusCode.ShouldBe(HttpStatusCode.PartialContent);
        (await match.Content.ReadAsByteArrayAsync()).Length.ShouldBe(100);
    }

    [Fact]
    public async Task File_Head_HeadersOnly()
    {
        // Arrange
        var url = await DeployAsync(_file, method: "HEAD");

        // Act
        using var response = await GetAsync(url, r => r.Method = HttpMethod.Head);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentLength.ShouldBe(Size);
        response.Headers.ETag.ShouldNotBeNull();
        (await response.Content.ReadAsByteArrayAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task File_HandlerRegion_SentAlone_AndRangesApplyWithinIt()
    {
        // Arrange
        var url = await DeployAsync(_file) + "&offset=1000&length=5000";

        // Act
        using var whole = await _gateway.GetAsync(url);
        using var part = await GetAsync(url, r => r.Headers.TryAddWithoutValidation("Range", "bytes=10-19"));
        using var clamped = await _gateway.GetAsync(await DeployAsync(_file) + $"&offset={Size - 10}&length=100");

        // Assert
        whole.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await whole.Content.ReadAsByteArrayAsync()).ShouldBe(_data.AsSpan(1000, 5000).ToArray());
        part.StatusCode.ShouldBe(HttpStatusCode.PartialContent);
        part.Content.Headers.ContentRange!.ToString().ShouldBe("bytes 10-19/5000");
        (await part.Content.ReadAsByteArrayAsync()).ShouldBe(_data.AsSpan(1010, 10).ToArray());
        (await clamped.Content.ReadAsByteArrayAsync()).ShouldBe(_data.AsSpan(Size - 10, 10).ToArray());
    }

    [Fact]
    public async Task File_OutsideRoots_Returns403WithoutThePath()
    {
        // Arrange
        var outside = Path.Combine(_temp, "secret.txt");
        await File.WriteAllTextAsync(outside, "secret");
        var (id, url) = await DeployWithIdAsync(outside, [_root]);

        // Act
        using var response = await _gateway.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        body.ShouldContain("file_roots");
        body.ShouldContain("request_id");
        body.ShouldNotContain(_temp);
        (await _admin.LogsAsync(id)).ShouldContain(l => l.Message.Contains(outside, StringComparison.Ordinal));
    }

    [Fact]
    public async Task File_DotDotTraversal_Returns403()
    {
        // Arrange
        await File.WriteAllTextAsync(Path.Combine(_temp, "secret.txt"), "secret");
        var url = await DeployAsync(_root + "/../secret.txt");

        // Act
        using var response = await _gateway.GetAsync(url);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task File_SiblingFolderSharingThePrefix_Returns403()
    {
        // Arrange: root ".../root" must not admit ".../rootx".
        var sibling = Path.Combine(_temp, "rootx");
        Directory.CreateDirectory(sibling);
        await File.WriteAllTextAsync(Path.Combine(sibling, "a.txt"), "a");
        var url = await DeployAsync(Path.Combine(sibling, "a.txt"));

        // Act
        using var response = await _gateway.GetAsync(url);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task File_SymlinkInRootPointingOutside_Returns403()
    {
        // Arrange
        var link = Path.Combine(_root, "hostname");
        File.CreateSymbolicLink(link, "/etc/hostname");
        var folderLink = Path.Combine(_root, "etc");
        Directory.CreateSymbolicLink(folderLink, "/etc");

        // Act
        using var response = await _gateway.GetAsync(await DeployAsync(link));
        using var throughFolder = await _gateway.GetAsync(await DeployAsync(Path.Combine(folderLink, "hostname")));

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        throughFolder.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task File_SymlinkInsideRoot_IsServed()
    {
        // Arrange
        var link = Path.Combine(_root, "alias.bin");
        File.CreateSymbolicLink(link, "data.bin");

        // Act
        using var response = await _gateway.GetAsync(await DeployAsync(link));

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsByteArrayAsync()).Length.ShouldBe(Size);
    }

    [Fact]
    public async Task File_NoFileRoots_Returns403()
    {
        // Arrange
        var (_, url) = await DeployWithIdAsync(_file, roots: null);

        // Act
        using var response = await _gateway.GetAsync(url);

        // Assert
        (await response.ShouldBeGatewayErrorAsync(HttpStatusCode.Forbidden)).GetProperty("error").GetString()!.ShouldContain("file_roots");
    }

    [Fact]
    public async Task File_MissingOrDirectory_Returns404()
    {
        // Arrange
        var missing = await DeployAsync(Path.Combine(_root, "nope.bin"));
        var directory = Path.Combine(_root, "sub");
        Directory.CreateDirectory(directory);

        // Act
        using var response = await _gateway.GetAsync(missing);
        using var folder = await _gateway.GetAsync(await DeployAsync(directory));

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        folder.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task File_Curl_RangeGivesTheExactBytes()
    {
        // Arrange
        var url = await DeployAsync(_file);
        var output = Path.Combine(_temp, "curl.out");

        // Act
        using var process = Process.Start(new ProcessStartInfo("curl", ["-s", "-r", "10-19", "-o", output, $"http://127.0.0.1:{_fixture.Edge.Port}{url}"]))!;
        await process.WaitForExitAsync();

        // Assert
        process.ExitCode.ShouldBe(0);
        (await File.ReadAllBytesAsync(output)).ShouldBe(_data.AsSpan(10, 10).ToArray());
    }

    [Theory]
    [InlineData("relative/folder")]
    [InlineData("")]
    [InlineData(42)]
    public async Task FileRoots_Invalid_Returns400NamingTheField(object root)
    {
        // Act
        var response = await _admin.PostApiAsync("/api/endpoints", new { name = Unique.Name("ep"), path = Unique.Path(), method = "GET", domain = "*", file_roots = new[] { root } });

        // Assert
        response.ShouldFail(HttpStatusCode.BadRequest).ShouldNameFields("file_roots");
    }

    [Fact]
    public async Task FileRoots_TooMany_Returns400_AndValidOnesAreShown()
    {
        // Arrange
        var many = Enumerable.Range(0, 33).Select(i => $"/data/{i}").ToArray();

        // Act
        var tooMany = await _admin.PostApiAsync("/api/endpoints", new { name = Unique.Name("ep"), path = Unique.Path(), method = "GET", domain = "*", file_roots = many });
        var created = (await _admin.CreateEndpointAsync(new EndpointSpec { Path = Unique.Path(), Code = Serve, FileRoots = ["/data/a", "/srv"] })).ShouldSucceed();
        var cleared = (await _admin.UpdateEndpointAsync(created.Id, new Dictionary<string, object?> { ["file_roots"] = null })).ShouldSucceed();

        // Assert
        tooMany.ShouldFail(HttpStatusCode.BadRequest).ShouldNameFields("file_roots");
        created.Data.GetProperty("file_roots").EnumerateArray().Select(e => e.GetString()).ShouldBe(["/data/a", "/srv"]);
        cleared.Data.GetProperty("file_roots").GetArrayLength().ShouldBe(0);
    }

    private static DateTimeOffset TruncatedMtime(string path)
    {
        var mtime = File.GetLastWriteTimeUtc(path);
        return new DateTimeOffset(mtime.Ticks - (mtime.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
    }

    private async Task<string> DeployAsync(string file, string method = "GET") =>
        (await DeployWithIdAsync(file, [_root], method)).Url;

    private async Task<(string Id, string Url)> DeployWithIdAsync(string file, string[]? roots, string method = "GET")
    {
        var path = Unique.Path();
        var id = await _admin.DeployNewAsync(new EndpointSpec { Path = path, Method = method, Code = Serve, FileRoots = roots });
        return (id, $"{path}?f={Uri.EscapeDataString(file)}");
    }

    private async Task<HttpResponseMessage> GetAsync(string url, Action<HttpRequestMessage> configure)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        configure(request);
        return await _gateway.SendAsync(request);
    }
}
