using System.Net;
using Edge.Tests.Common;

namespace Edge.Tests.Services.ObjectStorage;

/// <summary>The store over HTTPS (through <see cref="TlsRelay"/>): a private CA, no CA, and tls_skip_verify.</summary>
[Collection(S3Collection.Name)]
public sealed class S3TlsTests(S3Fixture s3) : IAsyncLifetime
{
    private TlsRelay _relay = null!;

    public Task InitializeAsync()
    {
        _relay = new TlsRelay(TestServices.Get("S3_HOST"), TestServices.Port("S3_PORT"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _relay.DisposeAsync();

    [Fact]
    public async Task PrivateCa_UseSslWithHostPort_WritesAndReadsOverHttps()
    {
        // Arrange: host:port with use_ssl (https), trusting the test CA
        var name = Unique.Name("s3tls");
        await s3.Edge.Admin.CreateServiceAsync(TestServices.S3(name, new
        {
            endpoint = $"127.0.0.1:{_relay.Port}",
            use_ssl = true,
            ca_cert_path = TestServices.CaCert,
        }));
        var key = S3Fixture.Prefix() + "over-tls.txt";

        // Act
        using var response = await s3.RunAsync(RoundTrip(name, key));

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
        (await response.JsonAsync()).Str("read").ShouldBe("secure");
        (await s3.GetTextAsync(key)).ShouldBe("secure");
        (await response.JsonAsync()).Str("url").ShouldStartWith($"https://127.0.0.1:{_relay.Port}/");
    }

    [Fact]
    public async Task NoCa_CertificateRefused_503AndTestNotConnected()
    {
        // Arrange
        var name = Unique.Name("s3untrusted");
        var id = await s3.Edge.Admin.CreateServiceAsync(TestServices.S3(name, new { endpoint = $"https://127.0.0.1:{_relay.Port}" }));

        // Act
        using var response = await s3.RunAsync(RoundTrip(name, S3Fixture.Prefix() + "never.txt"));
        var probe = (await s3.Edge.Admin.PostApiAsync($"/api/services/{id}/test")).ShouldSucceed();

        // Assert
        var error = await S3Fixture.ShouldBeErrorAsync(response, HttpStatusCode.ServiceUnavailable);
        error.ShouldStartWith($"service '{name}' is unavailable: ");
        error.ShouldContain("SSL");
        probe.Data.Bool("connected").ShouldBeFalse();
        probe.Data.Str("error").ShouldContain("SSL");
    }

    [Fact]
    public async Task SkipVerify_NoCa_WorksAndWarnsInTheLog()
    {
        // Arrange
        var name = Unique.Name("s3skip");
        await s3.Edge.Admin.CreateServiceAsync(TestServices.S3(name, new { endpoint = $"https://127.0.0.1:{_relay.Port}", tls_skip_verify = true }));

        // Act
        using var response = await s3.RunAsync(RoundTrip(name, S3Fixture.Prefix() + "unchecked.txt"));

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
        s3.Edge.StdOut.ShouldContain($"service '{name}' (minio): tls_skip_verify is set");
    }

    private static string RoundTrip(string service, string key) => $$"""
        async Task<Response> Handle(Context ctx, Request req)
        {
            var storage = ctx.Storage("{{service}}");
            await storage.PutAsync("{{key}}", System.Text.Encoding.UTF8.GetBytes("secure"), "text/plain");
            var read = System.Text.Encoding.UTF8.GetString((await storage.GetAsync("{{key}}"))!);
            return Response.Ok(new { read, url = await storage.PresignedUrlAsync("{{key}}", 60) });
        }
        """;
}
