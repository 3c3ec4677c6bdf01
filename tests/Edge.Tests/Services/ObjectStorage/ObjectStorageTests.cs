using System.Net;
using System.Text;
using System.Text.Json;
using Amazon.S3.Model;
using Edge.Tests.Common;

namespace Edge.Tests.Services.ObjectStorage;

/// <summary>
/// <c>ctx.Storage(name)</c> against the real S3 store: every write is read back with the test's own S3 client,
/// every object the test writes is read through the handler.
/// </summary>
[Collection(S3Collection.Name)]
public sealed class ObjectStorageTests(S3Fixture s3)
{
    private const string PagedPrefix = "edge-tests-paged/";
    private const int PagedCount = 1003;

    [Fact]
    public async Task PutAsync_Bytes_StoreHasThemWithTheContentType()
    {
        // Arrange
        var key = S3Fixture.Prefix() + "héllo wörld+1.txt";
        var code = $$"""
            async Task<Response> Handle(Context ctx, Request req)
            {
                var storage = ctx.Storage("{{s3.Service}}");
                await storage.PutAsync("{{key}}", req.BodyBytes, "text/x-edge; charset=utf-8");
                return Response.Ok(new { bucket = storage.Bucket });
            }
            """;

        // Act
        using var response = await s3.RunAsync(code, "POST", Encoding.UTF8.GetBytes("grüße"));

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
        (await response.JsonAsync()).Str("bucket").ShouldBe(S3Fixture.Bucket);
        var stored = (await s3.GetAsync(key)).ShouldNotBeNull();
        Encoding.UTF8.GetString(stored.Bytes).ShouldBe("grüße");
        stored.ContentType.ShouldBe("text/x-edge; charset=utf-8");
    }

    [Fact]
    public async Task PutAsync_NoContentType_StoredAsOctetStream()
    {
        // Arrange
        var key = S3Fixture.Prefix() + "blob";
        var code = $$"""
            async Task<Response> Handle(Context ctx, Request req)
            {
                await ctx.Storage("{{s3.Service}}").PutAsync("{{key}}", new byte[] { 0, 1, 2, 255 });
                return Response.Ok(new { done = true });
            }
            """;

        // Act
        using var response = await s3.RunAsync(code);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
        var stored = (await s3.GetAsync(key)).ShouldNotBeNull();
        stored.Bytes.ShouldBe(new byte[] { 0, 1, 2, 255 });
        stored.ContentType.ShouldBe("application/octet-stream");
    }

    [Fact]
    public async Task PutAsync_Streams_RestOfASeekableOneAndAllOfNonSeekableOnes()
    {
        // Arrange: a seekable stream already read past its start; a small and a 9 MB non-seekable one (the latter goes up as a two-part multipart upload)
        var prefix = S3Fixture.Prefix();
        var code = $$"""
            using System.IO;

            async Task<Response> Handle(Context ctx, Request req)
            {
                var storage = ctx.Storage("{{s3.Service}}");
                var seekable = new MemoryStream(System.Text.Encoding.UTF8.GetBytes("skip:the rest"));
                seekable.ReadExactly(new byte[5]);
                await storage.PutAsync("{{prefix}}rest.txt", seekable, "text/plain");
                await storage.PutAsync("{{prefix}}small.bin", new OneWay(new byte[] { 7, 8, 9 }));
                var big = new byte[9 * 1024 * 1024 + 17];
                for (var i = 0; i < big.Length; i++) big[i] = (byte)(i % 251);
                await storage.PutAsync("{{prefix}}big.bin", new OneWay(big));
                return Response.Ok(new { seekableStillOpen = seekable.CanRead });
            }

            sealed class OneWay(byte[] data) : Stream
            {
                private int _at;
                public override bool CanRead => true;
                public override bool CanSeek => false;
                public override bool CanWrite => false;
                public override long Length => throw new NotSupportedException();
                public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
                public override void Flush() { }
                public override int Read(byte[] buffer, int offset, int count)
                {
                    var n = Math.Min(Math.Min(count, data.Length - _at), 65_000);
                    Array.Copy(data, _at, buffer, offset, n);
                    _at += n;
                    return n;
                }
                public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
                public override void SetLength(long value) => throw new NotSupportedException();
                public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
            }
            """;

        // Act
        using var response = await s3.RunAsync(code);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
        (await response.JsonAsync()).Bool("seekableStillOpen").ShouldBeTrue();
        (await s3.GetTextAsync(prefix + "rest.txt")).ShouldBe("the rest");
        (await s3.GetAsync(prefix + "small.bin")).ShouldNotBeNull().Bytes.ShouldBe(new byte[] { 7, 8, 9 });
        var big = (await s3.GetAsync(prefix + "big.bin")).ShouldNotBeNull().Bytes;
        big.Length.ShouldBe(9 * 1024 * 1024 + 17);
        Enumerable.Range(0, big.Length).All(i => big[i] == (byte)(i % 251)).ShouldBeTrue();
    }

    [Fact]
    public async Task PutAsync_RequestBodyStream_PipedToTheStoreUnbuffered()
    {
        // Arrange: a stream_body endpoint hands its 20 MB chunked body straight to the store (three multipart parts).
        var key = S3Fixture.Prefix() + "piped.bin";
        var code = $$"""
            async Task<Response> Handle(Context ctx, Request req)
            {
                await ctx.Storage("{{s3.Service}}").PutAsync("{{key}}", req.BodyStream, req.ContentType);
                return Response.Created(new { stored = true });
            }
            """;
        var path = Unique.Path("s3");
        await s3.Edge.Admin.DeployNewAsync(new EndpointSpec { Path = path, Code = code, Method = "PUT", StreamBody = true, MaxBodyBytes = 32 * 1024 * 1024 });
        var data = System.Security.Cryptography.RandomNumberGenerator.GetBytes(20 * 1024 * 1024 + 1);
        using var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = new StreamContent(new MemoryStream(data)) };
        request.Headers.TransferEncodingChunked = true;
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-piped");

        // Act
        using var response = await s3.Edge.Gateway.SendAsync(request);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.DescribeAsync());
        var stored = (await s3.GetAsync(key)).ShouldNotBeNull();
        stored.Bytes.SequenceEqual(data).ShouldBeTrue();
        stored.ContentType.ShouldBe("application/x-piped");
    }

    [Fact]
    public async Task GetAsync_ObjectWrittenByTheStore_HandlerGetsItsBytes()
    {
        // Arrange
        var key = S3Fixture.Prefix() + "from-test.txt";
        await s3.PutAsync(key, "written by the test's own client");
        var code = $$"""
            async Task<Response> Handle(Context ctx, Request req)
            {
                var bytes = await ctx.Storage("{{s3.Service}}").GetAsync("{{key}}");
                return Response.Binary(200, bytes!, "application/octet-stream");
            }
            """;

        // Act
        using var response = await s3.RunAsync(code);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
        (await response.Content.ReadAsStringAsync()).ShouldBe("written by the test's own client");
    }

    [Fact]
    public async Task GetAsync_Missing_ReturnsNull()
    {
        // Arrange
        var code = $$"""
            async Task<Response> Handle(Context ctx, Request req)
            {
                var bytes = await ctx.Storage("{{s3.Service}}").GetAsync("{{S3Fixture.Prefix()}}nothing-here");
                return Response.Ok(new { missing = bytes is null });
            }
            """;

        // Act
        using var response = await s3.RunAsync(code);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
        (await response.JsonAsync()).Bool("missing").ShouldBeTrue();
    }

    [Fact]
    public async Task ListAsync_Prefix_OnlyItsObjectsSortedWithSizesAndUtcTimes()
    {
        // Arrange: written by the test, out of order, plus one object outside the prefix
        var prefix = S3Fixture.Prefix();
        await s3.PutAsync(prefix + "b.txt", "bbb");
        await s3.PutAsync(prefix + "a.txt", "a");
        await s3.PutAsync(prefix + "sub/c.txt", "cc");
        await s3.PutAsync(prefix.TrimEnd('/') + "-other/x.txt", "x");
        var code = $$"""
            async Task<Response> Handle(Context ctx, Request req) =>
                Response.Ok(await ctx.Storage("{{s3.Service}}").ListAsync("{{prefix}}"));
            """;

        // Act
        var before = DateTimeOffset.UtcNow.AddMinutes(-5);
        using var response = await s3.RunAsync(code);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
        var listed = (await response.JsonAsync()).EnumerateArray().ToList();
        listed.Select(o => o.Str("key")).ShouldBe([prefix + "a.txt", prefix + "b.txt", prefix + "sub/c.txt"]);
        listed.Select(o => o.Num("size")).ShouldBe([1L, 3L, 2L]);
        foreach (var o in listed)
        {
            var modified = DateTimeOffset.Parse(o.Str("last_modified"), System.Globalization.CultureInfo.InvariantCulture);
            modified.Offset.ShouldBe(TimeSpan.Zero);
            modified.ShouldBeInRange(before, DateTimeOffset.UtcNow.AddMinutes(5));
        }
    }

    [Fact]
    public async Task ListAsync_MoreThanOnePage_FollowsContinuationTokens()
    {
        // Arrange: the store answers at most 1000 keys per page. Writing 1003 objects costs seconds on Swift, so
        // they stay between runs under one fixed prefix, written only when missing (read-only otherwise).
        var keys = Enumerable.Range(0, PagedCount).Select(i => $"{PagedPrefix}{i:D4}").ToList();
        if ((await s3.KeysAsync(PagedPrefix)).Count != PagedCount)
        {
            await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (key, _) => await s3.PutAsync(key, "x"));
        }

        var code = $$"""
            async Task<Response> Handle(Context ctx, Request req)
            {
                var all = await ctx.Storage("{{s3.Service}}").ListAsync("{{PagedPrefix}}");
                return Response.Ok(new { count = all.Count, first = all[0].Key, last = all[^1].Key, distinct = all.Select(o => o.Key).Distinct().Count() });
            }
            """;

        // Act
        using var response = await s3.RunAsync(code);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
        var body = await response.JsonAsync();
        body.Num("count").ShouldBe(PagedCount);
        body.Num("distinct").ShouldBe(PagedCount);
        body.Str("first").ShouldBe(keys[0]);
        body.Str("last").ShouldBe(keys[^1]);
    }

    [Fact]
    public async Task DeleteAsync_ExistingThenMissing_TrueThenFalse_AndGoneFromTheStore()
    {
        // Arrange
        var key = S3Fixture.Prefix() + "doomed.txt";
        await s3.PutAsync(key, "bye");
        var code = $$"""
            async Task<Response> Handle(Context ctx, Request req)
            {
                var storage = ctx.Storage("{{s3.Service}}");
                var first = await storage.DeleteAsync("{{key}}");
                var second = await storage.DeleteAsync("{{key}}");
                return Response.Ok(new { first, second });
            }
            """;

        // Act
        using var response = await s3.RunAsync(code);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
        var body = await response.JsonAsync();
        body.Bool("first").ShouldBeTrue();
        body.Bool("second").ShouldBeFalse();
        (await s3.GetAsync(key)).ShouldBeNull();
    }

    [Fact]
    public async Task PresignedUrlAsync_PlainHttpClientWithoutCredentials_GetsTheBytesUntilItExpires()
    {
        // Arrange
        var key = S3Fixture.Prefix() + "shared file.txt";
        await s3.PutAsync(key, "for anyone with the link");
        var code = $$"""
            async Task<Response> Handle(Context ctx, Request req)
            {
                var storage = ctx.Storage("{{s3.Service}}");
                return Response.Ok(new
                {
                    longLived = await storage.PresignedUrlAsync("{{key}}", 600),
                    shortLived = await storage.PresignedUrlAsync("{{key}}", 1),
                });
            }
            """;
        using var response = await s3.RunAsync(code);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
        var body = await response.JsonAsync();
        using var anonymous = new HttpClient();

        // Act
        using var fetched = await anonymous.GetAsync(body.Str("longLived"));
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        using var expired = await anonymous.GetAsync(body.Str("shortLived"));

        // Assert
        body.Str("longLived").ShouldStartWith(TestServices.Get("S3_ENDPOINT") + "/" + S3Fixture.Bucket + "/");
        body.Str("longLived").ShouldNotContain(S3Fixture.SecretKey);
        fetched.StatusCode.ShouldBe(HttpStatusCode.OK, await fetched.DescribeAsync());
        (await fetched.Content.ReadAsStringAsync()).ShouldBe("for anyone with the link");
        expired.StatusCode.ShouldBe(HttpStatusCode.Forbidden, await expired.DescribeAsync());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(604_801)]
    public async Task PresignedUrlAsync_LifetimeOutOfRange_400(int seconds)
    {
        // Arrange
        var code = $$"""
            async Task<Response> Handle(Context ctx, Request req) =>
                Response.Ok(await ctx.Storage("{{s3.Service}}").PresignedUrlAsync("a.txt", {{seconds}}));
            """;

        // Act
        using var response = await s3.RunAsync(code);

        // Assert
        (await S3Fixture.ShouldBeErrorAsync(response, HttpStatusCode.BadRequest)).ShouldContain("604800");
    }

    [Fact]
    public async Task AnyOperation_HostileOrOversizedKey_400AndNothingStored()
    {
        // Arrange: keys travel as JSON so that control characters reach the handler as they are
        var prefix = S3Fixture.Prefix();
        string[] bad = ["", prefix + "a\u0001b", prefix + "line\nbreak", "../" + prefix + "up", prefix + "x/../y", prefix + "./z", prefix + new string('k', 1025)];
        var longest = prefix + new string('é', (1024 - prefix.Length) / 2);
        var code = $$"""
            async Task<Response> Handle(Context ctx, Request req)
            {
                var storage = ctx.Storage("{{s3.Service}}");
                var keys = req.Json<string[]>();
                var statuses = new List<int>();
                foreach (var key in keys)
                {
                    foreach (var op in new Func<Task>[]
                    {
                        () => storage.PutAsync(key, new byte[] { 1 }),
                        () => storage.GetAsync(key),
                        () => storage.DeleteAsync(key),
                        () => storage.PresignedUrlAsync(key, 60),
                    })
                    {
                        try { await op(); statuses.Add(200); }
                        catch (HandlerError e) { statuses.Add(e.StatusCode); }
                    }
                }

                return Response.Ok(statuses);
            }
            """;

        // Act
        using var response = await s3.RunAsync(code, "POST", JsonSerializer.SerializeToUtf8Bytes((string[])[.. bad, longest]));

        // Assert: every operation on a bad key is refused; the longest legal key (1024 UTF-8 bytes or fewer) works
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
        var statuses = (await response.JsonAsync()).EnumerateArray().Select(e => e.GetInt32()).ToList();
        statuses.Take(bad.Length * 4).ShouldAllBe(s => s == 400);
        statuses.Skip(bad.Length * 4).ShouldAllBe(s => s == 200);
        Encoding.UTF8.GetByteCount(longest).ShouldBeLessThanOrEqualTo(1024);
        (await s3.KeysAsync(prefix)).ShouldBeEmpty();
        (await s3.KeysAsync("../")).ShouldBeEmpty();
    }

    [Fact]
    public async Task GetThenPutAsync_CopyOfAnObjectFromTheStore_KeepsBytesAndTheGivenType()
    {
        // Arrange: written by the test's client; the handler copies it, and the test reads the copy
        var prefix = S3Fixture.Prefix();
        await s3.Client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = S3Fixture.Bucket,
            Key = prefix + "in.json",
            ContentBody = """{"n":1}""",
            ContentType = "application/json",
            UseChunkEncoding = false,
        });
        var code = $$"""
            async Task<Response> Handle(Context ctx, Request req)
            {
                var storage = ctx.Storage("{{s3.Service}}");
                var bytes = await storage.GetAsync("{{prefix}}in.json");
                await storage.PutAsync("{{prefix}}out.json", bytes!, "application/json");
                return Response.Ok(new { size = bytes!.Length });
            }
            """;

        // Act
        using var response = await s3.RunAsync(code);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
        var copy = (await s3.GetAsync(prefix + "out.json")).ShouldNotBeNull();
        Encoding.UTF8.GetString(copy.Bytes).ShouldBe("""{"n":1}""");
        copy.ContentType.ShouldBe("application/json");
    }
}
