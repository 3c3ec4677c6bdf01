using System.IO.Compression;
using System.Net;
using Edge.Gateway.Admin;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Admin;

[Collection(GatewayCollection.Name)]
public sealed class AdminPageTests(GatewayFixture fixture)
{
    private readonly EdgeProcess _edge = fixture.Edge;

    [Fact]
    public async Task Index_WithoutToken_ServedWithPageHeaders()
    {
        // Arrange
        using var anonymous = AnonymousClient();

        // Act
        using var response = await anonymous.GetAsync("/admin/");
        var body = await response.Content.ReadAsByteArrayAsync();

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.ToString().ShouldBe("text/html; charset=utf-8");
        body.ShouldBe(await File.ReadAllBytesAsync(Path.Combine(PageDir(), "index.html")));
        response.Headers.ETag!.IsWeak.ShouldBeFalse();
        response.Headers.CacheControl!.NoCache.ShouldBeTrue();
        response.Headers.Vary.ShouldContain("Accept-Encoding");
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        csp.ShouldContain("default-src 'self'");
        csp.ShouldContain("script-src 'self'");
        csp.ShouldContain("style-src 'self'");
        csp.ShouldContain("img-src 'self' data:");
        csp.ShouldContain("connect-src 'self'");
        csp.ShouldContain("frame-ancestors 'none'");
        csp.ShouldNotContain("unsafe-inline");
        response.Headers.GetValues("X-Content-Type-Options").Single().ShouldBe("nosniff");
    }

    [Fact]
    public async Task EveryPageFile_ServedWithItsBytesAndContentType()
    {
        // Arrange
        using var anonymous = AnonymousClient();
        var dir = PageDir();
        var files = Directory.GetFiles(dir, "*", SearchOption.AllDirectories);
        files.ShouldNotBeEmpty();

        foreach (var file in files)
        {
            var relative = Path.GetRelativePath(dir, file).Replace('\\', '/');

            // Act
            using var response = await anonymous.GetAsync("/admin/" + relative);
            var body = await response.Content.ReadAsByteArrayAsync();

            // Assert
            response.StatusCode.ShouldBe(HttpStatusCode.OK, relative);
            response.Content.Headers.ContentType!.ToString().ShouldBe(AdminAssets.ContentTypeOf(relative), relative);
            body.ShouldBe(await File.ReadAllBytesAsync(file), relative);
        }
    }

    [Fact]
    public async Task Index_WithMatchingIfNoneMatch_Answers304WithoutBody()
    {
        // Arrange
        using var anonymous = AnonymousClient();
        using var first = await anonymous.GetAsync("/admin/index.html");
        var tag = first.Headers.ETag!.Tag;

        // Act
        using var again = new HttpRequestMessage(HttpMethod.Get, "/admin/index.html");
        again.Headers.TryAddWithoutValidation("If-None-Match", tag);
        using var notModified = await anonymous.SendAsync(again);
        using var weak = new HttpRequestMessage(HttpMethod.Get, "/admin/index.html");
        weak.Headers.TryAddWithoutValidation("If-None-Match", $"\"other\", W/{tag}");
        using var weakMatch = await anonymous.SendAsync(weak);
        using var stale = new HttpRequestMessage(HttpMethod.Get, "/admin/index.html");
        stale.Headers.TryAddWithoutValidation("If-None-Match", "\"not-the-tag\"");
        using var changed = await anonymous.SendAsync(stale);

        // Assert
        notModified.StatusCode.ShouldBe(HttpStatusCode.NotModified);
        (await notModified.Content.ReadAsByteArrayAsync()).ShouldBeEmpty();
        notModified.Headers.ETag!.Tag.ShouldBe(tag);
        weakMatch.StatusCode.ShouldBe(HttpStatusCode.NotModified);
        changed.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("br")]
    [InlineData("gzip")]
    public async Task Index_AcceptingEncoding_SendsSmallerCompressedBytes(string encoding)
    {
        // Arrange
        using var anonymous = AnonymousClient();
        var raw = await File.ReadAllBytesAsync(Path.Combine(PageDir(), "index.html"));
        using var plainResponse = await anonymous.GetAsync("/admin/");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/");
        request.Headers.TryAddWithoutValidation("Accept-Encoding", $"{encoding}, identity;q=0.5");

        // Act
        using var response = await anonymous.SendAsync(request);
        var compressed = await response.Content.ReadAsByteArrayAsync();

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentEncoding.ShouldBe([encoding]);
        response.Content.Headers.ContentLength.ShouldBe(compressed.Length);
        compressed.Length.ShouldBeLessThan(raw.Length);
        Decompress(compressed, encoding).ShouldBe(raw);
        response.Headers.ETag!.Tag.ShouldNotBe(plainResponse.Headers.ETag!.Tag);
        plainResponse.Content.Headers.ContentEncoding.ShouldBeEmpty();
    }

    [Fact]
    public async Task Head_SendsHeadersOnly()
    {
        // Arrange
        using var anonymous = AnonymousClient();

        // Act
        using var response = await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/admin/"));

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentLength.ShouldBe(new FileInfo(Path.Combine(PageDir(), "index.html")).Length);
        (await response.Content.ReadAsByteArrayAsync()).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("/admin", "/admin/")]
    [InlineData("/", "/admin/")]
    [InlineData("/admin?x=1", "/admin/?x=1")]
    public async Task BarePaths_RedirectPermanentlyToThePage(string path, string location)
    {
        // Arrange
        using var anonymous = AnonymousClient();

        // Act
        using var response = await anonymous.GetAsync(path);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.PermanentRedirect);
        response.Headers.Location!.OriginalString.ShouldBe(location);
    }

    [Fact]
    public async Task UnknownAsset_Answers404()
    {
        // Arrange
        using var anonymous = AnonymousClient();

        // Act
        using var response = await anonymous.GetAsync("/admin/no-such-file.js");

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await response.Content.ReadAsStringAsync()).ShouldContain("no-such-file.js");
    }

    [Fact]
    public async Task Post_Answers405WithAllow()
    {
        // Arrange
        using var anonymous = AnonymousClient();

        // Act
        using var response = await anonymous.PostAsync("/admin/", new StringContent("x"));

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.MethodNotAllowed);
        response.Content.Headers.Allow.ShouldBe(["GET", "HEAD"]);
    }

    [Theory]
    [InlineData("/admin/../edge.db")]
    [InlineData("/admin/../admin-token")]
    [InlineData("/admin/%2e%2e/edge.db")]
    [InlineData("/admin/%2E%2E%2Fedge.db")]
    [InlineData("/admin/..%2fadmin-token")]
    [InlineData("/admin/..%5cadmin-token")]
    [InlineData("/admin/.%2e/.%2e/data/edge.db")]
    [InlineData("/admin//etc/passwd")]
    [InlineData("/admin/%00index.html")]
    public async Task HostilePaths_NeverReachAFile(string path)
    {
        // Act: curl sends the path as written (an HTTP client would resolve the dot segments itself).
        var (exit, output) = await Curl.RunAsync("-s", "--path-as-is", "-o", "/dev/stderr", "-w", "%{http_code}", _edge.AdminBase + path.TrimStart('/'));

        // Assert
        exit.ShouldBe(0);
        output.ShouldBeOneOf("400", "404");
    }

    [Fact]
    public async Task HostilePath_BodyHoldsNeitherStoreNorToken()
    {
        // Act
        var (_, body, _) = await Curl.RunToolAsync("curl", "-s", "--path-as-is", _edge.AdminBase + "admin/%2e%2e/admin-token");

        // Assert
        body.ShouldNotContain(_edge.Token!);
        body.ShouldNotContain("SQLite");
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("index.html", true)]
    [InlineData("js/app.js", true)]
    [InlineData("..", false)]
    [InlineData("a/../b", false)]
    [InlineData("./a", false)]
    [InlineData("a//b", false)]
    [InlineData("a\\b", false)]
    [InlineData("%2e%2e", false)]
    [InlineData("c:x", false)]
    public void IsPlain_ClassifiesRelativePaths(string relative, bool plain) =>
        AdminPage.IsPlain(relative).ShouldBe(plain);

    [Theory]
    [InlineData("gzip, deflate, br", "br", true)]
    [InlineData("gzip;q=1, br;q=0", "br", false)]
    [InlineData("*", "gzip", true)]
    [InlineData("identity", "gzip", false)]
    [InlineData("", "br", false)]
    public void Accepts_ReadsQualities(string header, string coding, bool accepted) =>
        AdminPage.Accepts(header, coding).ShouldBe(accepted);

    [Fact]
    public void Assets_IncompressibleOrTinyFile_KeepsNoVariant()
    {
        // Arrange
        var noise = new byte[4096];
        new Random(7).NextBytes(noise);

        // Act
        var assets = new AdminAssets([("a.png", noise), ("b.txt", "x"u8.ToArray()), ("c.css", System.Text.Encoding.UTF8.GetBytes(new string('a', 5000)))]);

        // Assert
        assets.Find("a.png")!.Brotli.ShouldBeNull();
        assets.Find("b.txt")!.Gzip.ShouldBeNull();
        assets.Find("c.css")!.Brotli!.Length.ShouldBeLessThan(100);
        assets.Find("c.css")!.ContentType.ShouldBe("text/css; charset=utf-8");
        assets.Find("missing.css").ShouldBeNull();
    }

    private HttpClient AnonymousClient() => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
    })
    { BaseAddress = _edge.AdminBase };

    private static byte[] Decompress(byte[] data, string encoding)
    {
        using var input = new MemoryStream(data);
        using Stream decoder = encoding == "br" ? new BrotliStream(input, CompressionMode.Decompress) : new GZipStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        decoder.CopyTo(output);
        return output.ToArray();
    }

    private static string PageDir()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "wwwroot", "admin");
            if (File.Exists(Path.Combine(dir.FullName, "edge.csproj")) && Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("cannot find wwwroot/admin above " + AppContext.BaseDirectory);
    }
}
