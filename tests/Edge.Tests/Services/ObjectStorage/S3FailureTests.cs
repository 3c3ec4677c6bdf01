using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amazon.S3;
using Edge.Tests.Common;
using Xunit.Abstractions;

namespace Edge.Tests.Services.ObjectStorage;

/// <summary>
/// What handlers and the admin API see when the store refuses, is missing, is down or hangs, and that the
/// secret key never shows: answers, <c>/test</c>, and the gateway's own output.
/// </summary>
[Collection(S3Collection.Name)]
public sealed class S3FailureTests(S3Fixture s3, ITestOutputHelper output)
{
    [Fact]
    public async Task Test_HealthyStore_ConnectedWithLatencyAndBucket()
    {
        // Act
        var probe = (await s3.Edge.Admin.PostApiAsync($"/api/services/{s3.ServiceId}/test")).ShouldSucceed();

        // Assert
        probe.Data.Bool("connected").ShouldBeTrue(probe.ToString());
        probe.Data.Num("latency_ms").ShouldBeGreaterThanOrEqualTo(0);
        probe.Data.Str("message").ShouldMatch($"^bucket '{S3Fixture.Bucket}' reachable \\(\\d+ ms\\)$");
    }

    [Fact]
    public async Task WrongSecretKey_500StorageErrorAndTestNotConnected_SecretNeverShown()
    {
        // Arrange
        var name = Unique.Name("s3bad");
        var wrong = "wrong-" + Guid.NewGuid().ToString("N");
        var id = await s3.Edge.Admin.CreateServiceAsync(TestServices.S3(name, new { secret_key = wrong }));
        var code = $$"""
            async Task<Response> Handle(Context ctx, Request req) =>
                Response.Ok(await ctx.Storage("{{name}}").ListAsync());
            """;

        // Act
        using var response = await s3.RunAsync(code);
        var probe = (await s3.Edge.Admin.PostApiAsync($"/api/services/{id}/test")).ShouldSucceed();
        var admin = await s3.Edge.Admin.GetApiAsync($"/api/minio/objects?service={name}");
        var delete = await s3.Edge.Admin.DeleteApiAsync($"/api/minio/objects/any.txt?service={name}");
        var shown = (await s3.Edge.Admin.GetApiAsync($"/api/services/{id}")).ShouldSucceed();

        // Assert
        var error = await S3Fixture.ShouldBeErrorAsync(response, HttpStatusCode.InternalServerError);
        error.ShouldStartWith($"service '{name}': SignatureDoesNotMatch: ");
        probe.Data.Bool("connected").ShouldBeFalse();
        probe.Data.Str("error").ShouldContain("SignatureDoesNotMatch");
        admin.ShouldFail(HttpStatusCode.InternalServerError).Error!.ShouldContain("SignatureDoesNotMatch");
        delete.ShouldFail(HttpStatusCode.InternalServerError).Error!.ShouldContain("secret_key");
        shown.Data.GetProperty("config").Str("secret_key").ShouldBe("********");
        foreach (var text in new[] { error, probe.Body, admin.Body, delete.Body, shown.Body, s3.Edge.StdOut, s3.Edge.StdErr })
        {
            text.ShouldNotContain(wrong);
            text.ShouldNotContain(S3Fixture.SecretKey);
        }
    }

    [Fact]
    public async Task MissingBucket_500NamingTheBucket_NotCreated()
    {
        // Arrange
        var name = Unique.Name("s3nobucket");
        var bucket = "edge-missing-" + Unique.Id();
        var id = await s3.Edge.Admin.CreateServiceAsync(TestServices.S3(name, new { bucket }));
        var code = $$"""
            async Task<Response> Handle(Context ctx, Request req)
            {
                await ctx.Storage("{{name}}").PutAsync("a.txt", new byte[] { 1 });
                return Response.Ok(new { stored = true });
            }
            """;

        // Act
        using var response = await s3.RunAsync(code);
        var probe = (await s3.Edge.Admin.PostApiAsync($"/api/services/{id}/test")).ShouldSucceed();

        // Assert
        var error = await S3Fixture.ShouldBeErrorAsync(response, HttpStatusCode.InternalServerError);
        error.ShouldStartWith($"service '{name}': NoSuchBucket: ");
        error.ShouldContain($"bucket '{bucket}'");
        probe.Data.Bool("connected").ShouldBeFalse();
        probe.Data.Str("error").ShouldContain($"bucket '{bucket}'");
        var listing = await Should.ThrowAsync<AmazonS3Exception>(() => s3.Client.ListObjectsV2Async(new() { BucketName = bucket }));
        listing.ErrorCode.ShouldBe("NoSuchBucket");
    }

    [Theory]
    [InlineData("endpoint", "http://127.0.0.1:9000/some/path", null)]
    [InlineData("endpoint", "ftp://127.0.0.1:9000", null)]
    [InlineData("use_ssl", "http://127.0.0.1:9000", true)]
    [InlineData("bucket", "a/b", null)]
    [InlineData("ca_cert_path", "/nonexistent/ca.pem", null)]
    public async Task Create_UnusableConfig_400NamingTheField(string field, string value, bool? useSsl)
    {
        // Arrange
        var extra = new Dictionary<string, object?> { [field == "use_ssl" ? "endpoint" : field] = value };
        if (useSsl is not null)
        {
            extra["use_ssl"] = useSsl;
        }

        // Act
        var response = await s3.Edge.Admin.PostApiAsync("/api/services", TestServices.S3(Unique.Name("s3cfg"), extra));

        // Assert
        response.ShouldFail(HttpStatusCode.BadRequest).ShouldNameFields("config." + field);
    }

    [Fact]
    public async Task NothingListening_503NamingTheService_AndTestNotConnected()
    {
        // Arrange: a port nobody listens on
        var name = Unique.Name("s3off");
        var id = await s3.Edge.Admin.CreateServiceAsync(TestServices.S3(name, new { endpoint = $"127.0.0.1:{FreePort.Next()}" }));
        var code = $$"""
            async Task<Response> Handle(Context ctx, Request req) =>
                Response.Ok(await ctx.Storage("{{name}}").GetAsync("x"));
            """;

        // Act
        using var response = await s3.RunAsync(code);
        var probe = (await s3.Edge.Admin.PostApiAsync($"/api/services/{id}/test")).ShouldSucceed();

        // Assert
        (await S3Fixture.ShouldBeErrorAsync(response, HttpStatusCode.ServiceUnavailable)).ShouldStartWith($"service '{name}' is unavailable: ");
        probe.Data.Bool("connected").ShouldBeFalse();
        probe.Data.Str("error").ShouldContain("refused");
    }

    [Fact]
    public async Task StoreThatNeverAnswers_504AfterCallTimeout()
    {
        // Arrange: accepts connections and says nothing
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var name = Unique.Name("s3mute");
        await s3.Edge.Admin.CreateServiceAsync(TestServices.S3(name, new { endpoint = $"127.0.0.1:{port}", call_timeout_ms = 500 }));
        var code = $$"""
            async Task<Response> Handle(Context ctx, Request req) =>
                Response.Ok(await ctx.Storage("{{name}}").ListAsync());
            """;
        var path = await s3.DeployAsync(code);

        // Act
        var clock = Stopwatch.StartNew();
        using var response = await s3.Edge.Gateway.GetAsync(path);
        clock.Stop();

        // Assert
        (await S3Fixture.ShouldBeErrorAsync(response, HttpStatusCode.GatewayTimeout)).ShouldContain($"service '{name}' did not answer within 500 ms");
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task StoreKilled_503NamingTheService_ThenServesAgainAfterRestartWithoutRestartingEdge()
    {
        // Arrange
        var prefix = S3Fixture.Prefix();
        await s3.PutAsync(prefix + "kept.txt", "survives");
        var code = $$"""
            async Task<Response> Handle(Context ctx, Request req)
            {
                var bytes = await ctx.Storage("{{s3.Service}}").GetAsync("{{prefix}}kept.txt");
                return Response.Binary(200, bytes!, "text/plain");
            }
            """;
        var path = await s3.DeployAsync(code);
        using (var before = await s3.Edge.Gateway.GetAsync(path))
        {
            before.StatusCode.ShouldBe(HttpStatusCode.OK, await before.DescribeAsync());
        }

        var pid = s3.Edge.ProcessId;
        HttpStatusCode downStatus;
        string downError;
        ApiResponse downProbe;
        TimeSpan backAfter;
        try
        {
            // Act: the store goes away
            await TestServices.KillAsync("s3");
            var downClock = Stopwatch.StartNew();
            using var down = await s3.Edge.Gateway.GetAsync(path);
            output.WriteLine($"store killed: handler answered {(int)down.StatusCode} in {downClock.ElapsedMilliseconds} ms");
            downStatus = down.StatusCode;
            downError = (await down.JsonAsync()).Str("error");
            downProbe = (await s3.Edge.Admin.PostApiAsync($"/api/services/{s3.ServiceId}/test")).ShouldSucceed();
        }
        finally
        {
            var restart = Stopwatch.StartNew();
            await TestServices.RestartAsync();
            output.WriteLine($"services.sh start took {restart.ElapsedMilliseconds} ms");
        }

        var clock = Stopwatch.StartNew();
        var back = await Eventually.HoldsAsync(async () =>
        {
            using var again = await s3.Edge.Gateway.GetAsync(path);
            return again.StatusCode == HttpStatusCode.OK && await again.Content.ReadAsStringAsync() == "survives";
        }, TimeSpan.FromSeconds(15), pollMs: 100);
        backAfter = clock.Elapsed;
        output.WriteLine($"first 200 after the restart: {backAfter.TotalMilliseconds:0} ms");

        // Assert
        downStatus.ShouldBe(HttpStatusCode.ServiceUnavailable, downError);
        downError.ShouldStartWith($"service '{s3.Service}' is unavailable: ");
        downProbe.Data.Bool("connected").ShouldBeFalse();
        downProbe.Data.Str("error").ShouldNotBeNullOrWhiteSpace();
        back.ShouldBeTrue($"still failing {backAfter.TotalSeconds:0.0} s after the store was restarted");
        s3.Edge.ProcessId.ShouldBe(pid);
        s3.Edge.Launches.ShouldBe(1);
        (await s3.Edge.Admin.PostApiAsync($"/api/services/{s3.ServiceId}/test")).ShouldSucceed().Data.Bool("connected").ShouldBeTrue();
    }

    [Fact]
    public async Task Secrets_NeverInServiceListingsOrGatewayOutput()
    {
        // Act
        var list = (await s3.Edge.Admin.GetApiAsync("/api/services")).ShouldSucceed();
        var one = (await s3.Edge.Admin.GetApiAsync($"/api/services/{s3.ServiceId}")).ShouldSucceed();

        // Assert
        one.Data.GetProperty("config").Str("secret_key").ShouldBe("********");
        foreach (var text in new[] { list.Body, one.Body, s3.Edge.StdOut, s3.Edge.StdErr })
        {
            text.ShouldNotContain(S3Fixture.SecretKey);
        }
    }
}
