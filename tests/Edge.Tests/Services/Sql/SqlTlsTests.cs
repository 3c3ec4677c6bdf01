using System.Net;
using Edge.Tests.Common;
using Xunit.Abstractions;

namespace Edge.Tests.Services.Sql;

/// <summary>
/// TLS to the test servers, whose certificates come from a private CA (SAN localhost and 127.0.0.1; the host
/// name "vm" also resolves to 127.0.0.1 and is not in the certificate).
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class SqlTlsTests(GatewayFixture fixture, ITestOutputHelper output)
{
    private const string PostgresTls = """
        async Task<Response> Handle(Context ctx, Request req) =>
            Response.Ok(await ctx.Database("db").QueryOneAsync("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()"));
        """;

    private const string MySqlTls = """
        async Task<Response> Handle(Context ctx, Request req) =>
            Response.Ok(new { cipher = await ctx.Database("db").ScalarAsync<string>("SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS WHERE VARIABLE_NAME = 'Ssl_cipher'") });
        """;

    private readonly EdgeProcess _edge = fixture.Edge;

    [Theory]
    [InlineData("verify-full", "127.0.0.1")]
    [InlineData("verify-full", "localhost")]
    [InlineData("verify-ca", "vm")]
    [InlineData(null, "localhost")]
    public async Task Postgres_PrivateCa_ConnectsOverVerifiedTls(string? sslMode, string host)
    {
        // Arrange: without ssl_mode, ca_cert_path alone means verify-full
        var config = new Dictionary<string, object?> { ["host"] = host, ["ca_cert_path"] = TestServices.CaCert };
        if (sslMode is not null)
        {
            config["ssl_mode"] = sslMode;
        }

        var (serviceId, path) = await SqlHandlers.DeployAsync(_edge, TestServices.Postgres(Unique.Name("pg-tls"), config), PostgresTls);

        // Act
        var call = await _edge.CallAsync(path, new { });
        var probe = (await _edge.Admin.PostApiAsync($"/api/services/{serviceId}/test")).ShouldSucceed().Data;

        // Assert
        call.Status.ShouldBe(200, call.Text);
        call.Body.Bool("ssl").ShouldBeTrue();
        call.Body.Str("version").ShouldStartWith("TLS");
        probe.Bool("connected").ShouldBeTrue(probe.GetRawText());
    }

    [Theory]
    [InlineData("verify-full", "127.0.0.1", null, "not trusted by the system roots")]
    [InlineData("verify-ca", "127.0.0.1", null, "not trusted by the system roots")]
    [InlineData("verify-full", "vm", "ca", "not issued for host 'vm'")]
    public async Task Postgres_UntrustedOrWrongName_RefusedWithClearError(string sslMode, string host, string? ca, string reason)
    {
        // Arrange: system roots only (the private CA is unknown to them), or the CA but a name not in the certificate
        var config = new Dictionary<string, object?> { ["host"] = host, ["ssl_mode"] = sslMode };
        if (ca is not null)
        {
            config["ca_cert_path"] = TestServices.CaCert;
        }

        var name = Unique.Name("pg-untrusted");
        var (serviceId, path) = await SqlHandlers.DeployAsync(_edge, TestServices.Postgres(name, config), PostgresTls);

        // Act
        var probe = (await _edge.Admin.PostApiAsync($"/api/services/{serviceId}/test")).ShouldSucceed().Data;
        var call = await _edge.CallAsync(path, new { });

        // Assert
        output.WriteLine($"test: {probe.GetRawText()}; call: {call.Text}");
        probe.Bool("connected").ShouldBeFalse(probe.GetRawText());
        probe.Str("error").ShouldContain(reason);
        call.Status.ShouldBe(503, call.Text);
        call.Text.ShouldContain($"service '{name}' is unavailable");
    }

    [Fact]
    public async Task MySql_UseSslWithPrivateCa_ConnectsOverTls()
    {
        // Arrange
        var (serviceId, path) = await SqlHandlers.DeployAsync(
            _edge, TestServices.MariaDb(Unique.Name("my-tls"), new { use_ssl = true, ca_cert_path = TestServices.CaCert }), MySqlTls);

        // Act
        var call = await _edge.CallAsync(path, new { });
        var probe = (await _edge.Admin.PostApiAsync($"/api/services/{serviceId}/test")).ShouldSucceed().Data;

        // Assert
        call.Status.ShouldBe(200, call.Text);
        call.Body.Str("cipher").ShouldNotBeNullOrEmpty(call.Text);
        probe.Bool("connected").ShouldBeTrue(probe.GetRawText());
    }

    [Fact]
    public async Task MySql_UseSslWithSystemRootsOnly_RefusedWithClearError()
    {
        // Arrange
        var name = Unique.Name("my-untrusted");
        var (serviceId, path) = await SqlHandlers.DeployAsync(_edge, TestServices.MariaDb(name, new { use_ssl = true }), MySqlTls);

        // Act
        var probe = (await _edge.Admin.PostApiAsync($"/api/services/{serviceId}/test")).ShouldSucceed().Data;
        var call = await _edge.CallAsync(path, new { });

        // Assert
        output.WriteLine($"test: {probe.GetRawText()}; call: {call.Text}");
        probe.Bool("connected").ShouldBeFalse(probe.GetRawText());
        probe.Str("error").ShouldContain("not trusted by the system roots");
        call.Status.ShouldBe(503, call.Text);
    }

    [Fact]
    public async Task MySql_TlsSkipVerify_EncryptsWithoutChecking()
    {
        // Arrange
        var (_, path) = await SqlHandlers.DeployAsync(
            _edge, TestServices.MariaDb(Unique.Name("my-skip"), new { use_ssl = true, tls_skip_verify = true }), MySqlTls);

        // Act
        var call = await _edge.CallAsync(path, new { });

        // Assert
        call.Status.ShouldBe(200, call.Text);
        call.Body.Str("cipher").ShouldNotBeNullOrEmpty(call.Text);
        _edge.StdOut.ShouldContain("tls_skip_verify is set");
    }

    [Theory]
    [InlineData("postgres", "disable", "config.ssl_mode")]
    [InlineData("postgres", "prefer", "config.ssl_mode")]
    [InlineData("mysql", null, "config.use_ssl")]
    public async Task Create_CaWithoutVerification_RefusedNamingTheField(string engine, string? sslMode, string field)
    {
        // Arrange: a CA that would not be used means a connection the admin believes verified is not
        var body = engine == "postgres"
            ? TestServices.Postgres(Unique.Name("pg"), new { ssl_mode = sslMode, ca_cert_path = TestServices.CaCert })
            : TestServices.MariaDb(Unique.Name("my"), new { ca_cert_path = TestServices.CaCert });

        // Act
        var response = await _edge.Admin.PostApiAsync("/api/services", body);

        // Assert
        response.ShouldFail(HttpStatusCode.BadRequest).ShouldNameFields(field);
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("mysql")]
    public async Task Create_UnreadableCa_RefusedNamingTheField(string engine)
    {
        // Arrange
        var missing = Path.Combine(_edge.RootDir, "no-such-ca.pem");
        var body = engine == "postgres"
            ? TestServices.Postgres(Unique.Name("pg"), new { ssl_mode = "verify-full", ca_cert_path = missing })
            : TestServices.MariaDb(Unique.Name("my"), new { use_ssl = true, ca_cert_path = missing });

        // Act
        var response = await _edge.Admin.PostApiAsync("/api/services", body);

        // Assert
        response.ShouldFail(HttpStatusCode.BadRequest).ShouldNameFields("config.ca_cert_path");
    }
}
