using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Edge.Tests.Common;

namespace Edge.Tests.Services.ObjectStorage;

/// <summary>The admin routes <c>/api/minio/objects</c> against the real store.</summary>
[Collection(S3Collection.Name)]
public sealed class MinioApiTests(S3Fixture s3)
{
    private string Objects(string rest = "", string query = "") =>
        $"/api/minio/objects{rest}?service={Uri.EscapeDataString(s3.Service)}{query}";

    [Fact]
    public async Task List_WithPrefix_OnlyThatPrefixWithSizesAndUtcTimes()
    {
        // Arrange
        var prefix = S3Fixture.Prefix();
        await s3.PutAsync(prefix + "two.txt", "22");
        await s3.PutAsync(prefix + "one.txt", "1");
        await s3.PutAsync(prefix.TrimEnd('/') + "x/other.txt", "x");

        // Act
        var listed = (await s3.Edge.Admin.GetApiAsync(Objects(query: "&prefix=" + Uri.EscapeDataString(prefix)))).ShouldSucceed();

        // Assert
        listed.Data.Str("bucket").ShouldBe(S3Fixture.Bucket);
        listed.Data.Str("prefix").ShouldBe(prefix);
        var objects = listed.Data.GetProperty("objects").EnumerateArray().ToList();
        objects.Select(o => o.Str("key")).ShouldBe([prefix + "one.txt", prefix + "two.txt"]);
        objects.Select(o => o.Num("size")).ShouldBe([1L, 2L]);
        objects.ShouldAllBe(o => o.Str("last_modified").EndsWith('Z'));
    }

    [Fact]
    public async Task Upload_MultipartWithKey_StoredUnderTheKeyWithTheExtensionsType()
    {
        // Arrange
        var key = S3Fixture.Prefix() + "docs/readme.txt";
        using var form = Form("read me", "local-name.bin", key);

        // Act
        var uploaded = await s3.Edge.Admin.SendParsedAsync(new HttpRequestMessage(HttpMethod.Post, Objects()) { Content = form });

        // Assert
        uploaded.ShouldSucceed().Status.ShouldBe(HttpStatusCode.Created);
        uploaded.Data.Str("key").ShouldBe(key);
        uploaded.Data.Str("bucket").ShouldBe(S3Fixture.Bucket);
        uploaded.Data.Num("size").ShouldBe(7);
        uploaded.Data.Str("message").ShouldBe("Upload successful");
        var stored = (await s3.GetAsync(key)).ShouldNotBeNull();
        Encoding.UTF8.GetString(stored.Bytes).ShouldBe("read me");
        stored.ContentType.ShouldBe("text/plain");
    }

    [Fact]
    public async Task Upload_WithoutKey_UsesTheFileName()
    {
        // Arrange
        var name = Unique.Name("upload") + ".json";
        using var form = Form("""{"a":1}""", name, key: null, "application/json");

        try
        {
            // Act
            var uploaded = await s3.Edge.Admin.SendParsedAsync(new HttpRequestMessage(HttpMethod.Post, Objects()) { Content = form });

            // Assert
            uploaded.ShouldSucceed().Data.Str("key").ShouldBe(name);
            var stored = (await s3.GetAsync(name)).ShouldNotBeNull();
            stored.ContentType.ShouldBe("application/json");
        }
        finally
        {
            await s3.Client.DeleteObjectAsync(S3Fixture.Bucket, name);
        }
    }

    [Theory]
    [InlineData("page.html", "text/html")]
    [InlineData("data.json", "application/json")]
    [InlineData("image.png", "image/png")]
    public async Task Download_ObjectFromTheStore_BytesWithContentTypeFromExtension(string file, string expectedType)
    {
        // Arrange: stored with a different type on purpose
        var key = S3Fixture.Prefix() + "dl/" + file;
        await s3.PutAsync(key, "payload-" + file, "application/x-whatever");

        // Act
        using var response = await s3.Edge.Admin.GetAsync(Objects("/" + key));

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
        response.Content.Headers.ContentType!.MediaType.ShouldBe(expectedType);
        (await response.Content.ReadAsStringAsync()).ShouldBe("payload-" + file);
        response.Content.Headers.ContentLength.ShouldBe(("payload-" + file).Length);
        response.Content.Headers.ContentDisposition!.DispositionType.ShouldBe("attachment");
        response.Header("X-Content-Type-Options").ShouldBe("nosniff");
    }

    [Fact]
    public async Task Download_UnknownExtension_UsesTheStoredType()
    {
        // Arrange
        var key = S3Fixture.Prefix() + "blob.zzz9";
        await s3.PutAsync(key, "zzz", "application/x-stored");

        // Act
        using var response = await s3.Edge.Admin.GetAsync(Objects("/" + key));

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/x-stored");
    }

    [Fact]
    public async Task Download_KeyWithEncodedCharacters_DecodedOnce()
    {
        // Arrange: %2F is a slash, %25 a percent sign (not decoded a second time)
        var prefix = S3Fixture.Prefix();
        await s3.PutAsync(prefix + "dir/100%25 sure.txt", "literal");

        // Act
        using var response = await s3.Edge.Admin.GetAsync(Objects("/" + Uri.EscapeDataString(prefix + "dir/100%25 sure.txt")));

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
        (await response.Content.ReadAsStringAsync()).ShouldBe("literal");
    }

    [Fact]
    public async Task Download_Missing_404()
    {
        // Act
        var response = await s3.Edge.Admin.GetApiAsync(Objects("/" + S3Fixture.Prefix() + "absent.txt"));

        // Assert
        response.ShouldFail(HttpStatusCode.NotFound).Error!.ShouldContain("absent.txt");
    }

    [Fact]
    public async Task Delete_ExistingThenAgain_DeletedTrueThenFalse_GoneFromTheStore()
    {
        // Arrange
        var key = S3Fixture.Prefix() + "to delete.txt";
        await s3.PutAsync(key, "x");

        // Act
        var first = (await s3.Edge.Admin.DeleteApiAsync(Objects("/" + Uri.EscapeDataString(key).Replace("%2F", "/", StringComparison.Ordinal)))).ShouldSucceed();
        var second = (await s3.Edge.Admin.DeleteApiAsync(Objects("/" + key))).ShouldSucceed();

        // Assert
        first.Data.Str("key").ShouldBe(key);
        first.Data.Str("bucket").ShouldBe(S3Fixture.Bucket);
        first.Data.Bool("deleted").ShouldBeTrue();
        second.Data.Bool("deleted").ShouldBeFalse();
        (await s3.GetAsync(key)).ShouldBeNull();
    }

    [Theory]
    [InlineData("../escape.txt")]
    [InlineData("a/../../b.txt")]
    [InlineData("./here.txt")]
    [InlineData("tab\there.txt")]
    public async Task Upload_HostileKey_400AndNothingStored(string badKey)
    {
        // Arrange
        using var form = Form("evil", "evil.txt", badKey);

        // Act
        var response = await s3.Edge.Admin.SendParsedAsync(new HttpRequestMessage(HttpMethod.Post, Objects()) { Content = form });

        // Assert
        response.ShouldFail(HttpStatusCode.BadRequest).Error!.ShouldContain("key");
        (await s3.KeysAsync("escape")).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("GET", "/bad%01key.txt")]
    [InlineData("DELETE", "/line%0Abreak.txt")]
    [InlineData("GET", "/%2e%2e%2fetc/passwd")]
    public async Task DownloadOrDelete_HostileKey_400(string method, string rest)
    {
        // Act
        var response = await s3.Edge.Admin.SendApiAsync(new HttpMethod(method), Objects(rest), null);

        // Assert
        response.ShouldFail(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task List_PrefixWithControlCharacter_400()
    {
        // Act
        var response = await s3.Edge.Admin.GetApiAsync(Objects(query: "&prefix=a%07b"));

        // Assert
        response.ShouldFail(HttpStatusCode.BadRequest).Error!.ShouldContain("prefix");
    }

    [Fact]
    public async Task Upload_NotMultipartOrNoFile_400()
    {
        // Act
        var json = await s3.Edge.Admin.PostApiAsync(Objects(), new { key = "x" });
        using var noFile = new MultipartFormDataContent { { new StringContent("k.txt"), "key" } };
        var empty = await s3.Edge.Admin.SendParsedAsync(new HttpRequestMessage(HttpMethod.Post, Objects()) { Content = noFile });

        // Assert
        json.ShouldFail(HttpStatusCode.BadRequest).Error!.ShouldContain("multipart/form-data");
        empty.ShouldFail(HttpStatusCode.BadRequest).Error!.ShouldContain("'file'");
    }

    [Fact]
    public async Task Upload_LargerThan100MB_413AndNothingStored()
    {
        // Arrange
        var key = S3Fixture.Prefix() + "huge.bin";
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(new byte[(100 * 1024 * 1024) + 1]), "file", "huge.bin" },
            { new StringContent(key), "key" },
        };

        // Act
        var response = await s3.Edge.Admin.SendParsedAsync(new HttpRequestMessage(HttpMethod.Post, Objects()) { Content = form });

        // Assert
        response.ShouldFail(HttpStatusCode.RequestEntityTooLarge).Error!.ShouldContain("100 MB");
        (await s3.GetAsync(key)).ShouldBeNull();
    }

    [Fact]
    public async Task AnyRoute_NoToken_401()
    {
        // Arrange
        using var anonymous = new HttpClient { BaseAddress = s3.Edge.AdminBase };
        using var form = Form("x", "x.txt", S3Fixture.Prefix() + "x.txt");

        // Act
        var list = await anonymous.SendParsedAsync(new HttpRequestMessage(HttpMethod.Get, Objects()));
        var upload = await anonymous.SendParsedAsync(new HttpRequestMessage(HttpMethod.Post, Objects()) { Content = form });
        var download = await anonymous.SendParsedAsync(new HttpRequestMessage(HttpMethod.Get, Objects("/x.txt")));
        var delete = await anonymous.SendParsedAsync(new HttpRequestMessage(HttpMethod.Delete, Objects("/x.txt")));

        // Assert
        foreach (var response in new[] { list, upload, download, delete })
        {
            response.ShouldFail(HttpStatusCode.Unauthorized);
        }
    }

    [Fact]
    public async Task ServiceChoice_NoneOneOrSeveralActive_503ImplicitOr400NamingThem()
    {
        // Arrange: a gateway of its own, so that the services active are exactly those made here
        await using var edge = await EdgeProcess.StartAsync();
        var prefix = S3Fixture.Prefix();
        await s3.PutAsync(prefix + "seen.txt", "1");
        var path = "/api/minio/objects?prefix=" + Uri.EscapeDataString(prefix);

        // Act / Assert: none active
        (await edge.Admin.GetApiAsync(path)).ShouldFail(HttpStatusCode.ServiceUnavailable).Error!.ShouldContain("no minio");

        // one active: used without ?service
        var first = Unique.Name("s3a");
        var firstId = await edge.Admin.CreateServiceAsync(TestServices.S3(first));
        (await edge.Admin.GetApiAsync(path)).ShouldSucceed().Data.GetProperty("objects").GetArrayLength().ShouldBe(1);

        // two active: the caller must choose, by name or id
        var second = Unique.Name("s3b");
        await edge.Admin.CreateServiceAsync(TestServices.S3(second));
        var ambiguous = (await edge.Admin.GetApiAsync(path)).ShouldFail(HttpStatusCode.BadRequest);
        ambiguous.ShouldNameFields(first, second, "?service=");
        (await edge.Admin.GetApiAsync(path + "&service=" + second)).ShouldSucceed();
        (await edge.Admin.GetApiAsync(path + "&service=" + firstId)).ShouldSucceed();

        // unknown or inactive service named
        (await edge.Admin.GetApiAsync(path + "&service=nope-" + Unique.Id())).ShouldFail(HttpStatusCode.NotFound);
        (await edge.Admin.PostApiAsync($"/api/services/{firstId}/deactivate")).ShouldSucceed();
        (await edge.Admin.GetApiAsync(path + "&service=" + first)).ShouldFail(HttpStatusCode.ServiceUnavailable).Error!.ShouldContain("not active");
        (await edge.Admin.GetApiAsync(path)).ShouldSucceed();
    }

    private static MultipartFormDataContent Form(string text, string fileName, string? key, string? contentType = null)
    {
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
        if (contentType is not null)
        {
            file.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        var form = new MultipartFormDataContent { { file, "file", fileName } };
        if (key is not null)
        {
            form.Add(new StringContent(key), "key");
        }

        return form;
    }
}
