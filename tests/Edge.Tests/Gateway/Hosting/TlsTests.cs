using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Hosting;

/// <summary>
/// HTTPS and mutual TLS on the real binary with certificates made by the test, checked by curl, openssl and .NET's
/// SslStream: accepted when right; expired, wrong CA or wrong name refused.
/// </summary>
public sealed class TlsTests : IDisposable
{
    private const string WhoAmI = """
        Response Handle(Context ctx, Request req) => Response.Ok(new
        {
            cn = req.ClientCertificate?.CommonName,
            thumbprint = req.ClientCertificate?.Thumbprint,
            names = req.ClientCertificate?.AlternativeNames,
        });
        """;

    private readonly TempDir _dir = new();
    private readonly X509Certificate2 _ca = TestCertificates.CreateCa("edge test CA");
    private readonly string _caPem;

    public TlsTests()
    {
        _caPem = Path.Combine(_dir.Path, "ca.pem");
        File.WriteAllText(_caPem, _ca.ExportCertificatePem() + "\n");
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Https_CurlTrustingTheCa_ServesHttp11AndHttp2WithLowerCaseNames()
    {
        // Arrange
        var (cert, key) = TestCertificates.WritePem(TestCertificates.CreateServer(_ca), _dir.Path, "server");
        await using var edge = await StartAsync(["--tls-cert", cert, "--tls-key", key]);
        var path = await DeployAsync(edge);

        // Act
        var (h1Exit, h1) = await CurlAsync(edge, path, "--http1.1", "-i");
        var (h2Exit, h2) = await CurlAsync(edge, path, "--http2", "-i");

        // Assert
        h1Exit.ShouldBe(0, h1);
        h1.ShouldStartWith("HTTP/1.1 200");
        h1.ShouldContain("\r\ncontent-type: application/json");
        h1.ShouldContain("\"cn\":null");
        h2Exit.ShouldBe(0, h2);
        h2.ShouldStartWith("HTTP/2 200");
        h2.ShouldContain("x-request-id: ");
    }

    [Fact]
    public async Task Https_H2load_NegotiatesH2ByAlpnAndServesEveryStream()
    {
        // Arrange
        var (cert, key) = TestCertificates.WritePem(TestCertificates.CreateServer(_ca), _dir.Path, "server");
        await using var edge = await StartAsync(["--tls-cert", cert, "--tls-key", key]);
        var path = await DeployAsync(edge);

        // Act: 4 TLS connections, 10 concurrent streams each.
        var (exit, output, errors) = await Curl.RunToolAsync("h2load", "-n", "2000", "-c", "4", "-m", "10", $"https://127.0.0.1:{edge.Port}{path}");

        // Assert
        exit.ShouldBe(0, output + errors);
        output.ShouldContain("Application protocol: h2");
        output.ShouldContain("2000 total, 2000 started, 2000 done, 2000 succeeded, 0 failed, 0 errored");
        output.ShouldContain("status codes: 2000 2xx, 0 3xx, 0 4xx, 0 5xx");
    }

    [Fact]
    public async Task Https_ExpiredWrongNameOrUnknownCa_CurlRefusesTheServer()
    {
        // Arrange: three gateways, each with one flaw in its certificate.
        var other = TestCertificates.CreateCa("some other CA");
        var (expiredCert, expiredKey) = TestCertificates.WritePem(TestCertificates.CreateServer(_ca, notAfter: DateTimeOffset.UtcNow.AddDays(-1)), _dir.Path, "expired");
        var (wrongCert, wrongKey) = TestCertificates.WritePem(TestCertificates.CreateServer(_ca, "other.example"), _dir.Path, "wrong-name");
        var (strangerCert, strangerKey) = TestCertificates.WritePem(TestCertificates.CreateServer(other), _dir.Path, "stranger");
        await using var expired = await StartAsync(["--tls-cert", expiredCert, "--tls-key", expiredKey]);
        await using var wrongName = await StartAsync(["--tls-cert", wrongCert, "--tls-key", wrongKey]);
        await using var stranger = await StartAsync(["--tls-cert", strangerCert, "--tls-key", strangerKey]);

        // Act
        var expiredResult = await CurlAsync(expired, "/");
        var wrongNameResult = await CurlAsync(wrongName, "/");
        var strangerResult = await CurlAsync(stranger, "/");

        // Assert: 60 is curl's "peer certificate cannot be authenticated".
        expiredResult.Exit.ShouldBe(60, expiredResult.Output);
        wrongNameResult.Exit.ShouldBe(60, wrongNameResult.Output);
        strangerResult.Exit.ShouldBe(60, strangerResult.Output);
    }

    [Fact]
    public async Task Https_OldProtocolVersions_RefusedTls12And13Accepted()
    {
        // Arrange
        var (cert, key) = TestCertificates.WritePem(TestCertificates.CreateServer(_ca), _dir.Path, "server");
        await using var edge = await StartAsync(["--tls-cert", cert, "--tls-key", key]);

        // Act
        var tls11 = await OpenSslAsync(edge.Port, "-tls1_1");
        var tls12 = await OpenSslAsync(edge.Port, "-tls1_2");
        var tls13 = await OpenSslAsync(edge.Port, "-tls1_3");

        // Assert
        tls11.Exit.ShouldNotBe(0, tls11.Output);
        tls12.Exit.ShouldBe(0, tls12.Output);
        tls12.Output.ShouldContain("Protocol version: TLSv1.2");
        tls13.Exit.ShouldBe(0, tls13.Output);
        tls13.Output.ShouldContain("Protocol version: TLSv1.3");
    }

    [Fact]
    public async Task Mtls_Required_RightCertificateAcceptedAndSeenByTheHandler_OthersRefused()
    {
        // Arrange
        var (cert, key) = TestCertificates.WritePem(TestCertificates.CreateServer(_ca), _dir.Path, "server");
        await using var edge = await StartAsync(["--tls-cert", cert, "--tls-key", key, "--client-ca", _caPem, "--client-cert-mode", "required"]);
        var path = await DeployAsync(edge);
        var good = TestCertificates.CreateClient(_ca, "billing");
        var (goodCert, goodKey) = TestCertificates.WritePem(good, _dir.Path, "good");
        var (expiredCert, expiredKey) = TestCertificates.WritePem(TestCertificates.CreateClient(_ca, "old", DateTimeOffset.UtcNow.AddDays(-2)), _dir.Path, "old");
        var (strangerCert, strangerKey) = TestCertificates.WritePem(TestCertificates.CreateClient(TestCertificates.CreateCa("rogue CA"), "rogue"), _dir.Path, "rogue");
        var (serverOnlyCert, serverOnlyKey) = TestCertificates.WritePem(TestCertificates.CreateClient(_ca, "server-only", serverUseOnly: true), _dir.Path, "server-only");

        // Act
        var accepted = await CurlAsync(edge, path, "--cert", goodCert, "--key", goodKey);
        var none = await CurlAsync(edge, path);
        var expired = await CurlAsync(edge, path, "--cert", expiredCert, "--key", expiredKey);
        var stranger = await CurlAsync(edge, path, "--cert", strangerCert, "--key", strangerKey);
        var serverOnly = await CurlAsync(edge, path, "--cert", serverOnlyCert, "--key", serverOnlyKey);

        // Assert
        accepted.Exit.ShouldBe(0, accepted.Output);
        using var body = JsonDocument.Parse(accepted.Output);
        body.RootElement.GetProperty("cn").GetString().ShouldBe("billing");
        body.RootElement.GetProperty("thumbprint").GetString().ShouldBe(good.Thumbprint);
        body.RootElement.GetProperty("names")[0].GetString().ShouldBe("billing.clients.test");
        foreach (var (exit, output) in new[] { none, expired, stranger, serverOnly })
        {
            exit.ShouldNotBe(0, output);
            output.ShouldNotContain("\"cn\"");
        }

        (await Eventually.HoldsAsync(() => Task.FromResult(edge.StdOut.Contains("TLS client certificate 'CN=rogue' rejected", StringComparison.Ordinal)), TimeSpan.FromSeconds(5)))
            .ShouldBeTrue(edge.StdOut);
    }

    [Fact]
    public async Task MtlsEndpoint_AllowedClientNames_OnlyThoseNamesGetThrough()
    {
        // Arrange
        var (cert, key) = TestCertificates.WritePem(TestCertificates.CreateServer(_ca), _dir.Path, "server");
        await using var edge = await StartAsync(["--tls-cert", cert, "--tls-key", key, "--client-ca", _caPem, "--client-cert-mode", "optional"]);
        var path = Unique.Path();
        await edge.Admin.DeployNewAsync(new EndpointSpec { Path = path, Code = WhoAmI, Auth = "mtls", AllowedClientNames = ["billing"] });
        var (billingCert, billingKey) = TestCertificates.WritePem(TestCertificates.CreateClient(_ca, "billing"), _dir.Path, "billing");
        var (otherCert, otherKey) = TestCertificates.WritePem(TestCertificates.CreateClient(_ca, "reporting"), _dir.Path, "reporting");

        // Act
        var billing = await CurlAsync(edge, path, "-i", "--cert", billingCert, "--key", billingKey);
        var other = await CurlAsync(edge, path, "-i", "--cert", otherCert, "--key", otherKey);
        var none = await CurlAsync(edge, path, "-i");

        // Assert
        billing.Output.ShouldStartWith("HTTP/2 200", Case.Sensitive, billing.Output);
        billing.Output.ShouldContain("\"cn\":\"billing\"");
        other.Output.ShouldStartWith("HTTP/2 403", Case.Sensitive, other.Output);
        other.Output.ShouldContain("CN=reporting");
        none.Output.ShouldStartWith("HTTP/2 401", Case.Sensitive, none.Output);
        none.Output.ShouldContain("needs a client certificate");
    }

    [Fact]
    public async Task Mtls_Optional_NoCertificateServedWithoutIdentity_BadOneRefused()
    {
        // Arrange
        var (cert, key) = TestCertificates.WritePem(TestCertificates.CreateServer(_ca), _dir.Path, "server");
        await using var edge = await StartAsync(["--tls-cert", cert, "--tls-key", key, "--client-ca", _caPem, "--client-cert-mode", "optional"]);
        var path = await DeployAsync(edge);
        var (strangerCert, strangerKey) = TestCertificates.WritePem(TestCertificates.CreateClient(TestCertificates.CreateCa("rogue CA"), "rogue"), _dir.Path, "rogue");

        // Act
        var anonymous = await CurlAsync(edge, path);
        var stranger = await CurlAsync(edge, path, "--cert", strangerCert, "--key", strangerKey);

        // Assert
        anonymous.Exit.ShouldBe(0, anonymous.Output);
        anonymous.Output.ShouldContain("\"cn\":null");
        stranger.Exit.ShouldNotBe(0, stranger.Output);
    }

    [Fact]
    public async Task Https_CertificateFilesReplaced_NewConnectionsGetTheNewOneWithoutARestart()
    {
        // Arrange
        var (cert, key) = TestCertificates.WritePem(TestCertificates.CreateServer(_ca), _dir.Path, "server");
        await using var edge = await StartAsync(["--tls-cert", cert, "--tls-key", key]);
        var before = await ServedCertificateAsync(edge.Port);
        var renewed = TestCertificates.CreateServer(_ca);

        // Act: written elsewhere, then moved into place, as renewal tools do.
        var (newCert, newKey) = TestCertificates.WritePem(renewed, _dir.Path, "renewed");
        File.Move(newKey, key, overwrite: true);
        File.Move(newCert, cert, overwrite: true);
        string? after = null;
        await Eventually.HoldsAsync(
            async () => (after = (await ServedCertificateAsync(edge.Port)).Thumbprint) == renewed.Thumbprint,
            TimeSpan.FromSeconds(15),
            pollMs: 250);

        // The log line follows the swap and reaches the captured output a moment later.
        await Eventually.HoldsAsync(() => Task.FromResult(edge.StdOut.Contains("reloaded", StringComparison.OrdinalIgnoreCase)), TimeSpan.FromSeconds(5), pollMs: 50);

        // Assert
        after.ShouldBe(renewed.Thumbprint);
        before.Thumbprint.ShouldNotBe(renewed.Thumbprint);
        edge.ProcessId.ShouldBeGreaterThan(0);
        edge.IsRunning.ShouldBeTrue();
        edge.StdOut.ShouldContain("reloaded");
    }

    [Fact]
    public async Task HttpPort_HttpsRedirect_Answers308ToTheHttpsPort()
    {
        // Arrange
        var (cert, key) = TestCertificates.WritePem(TestCertificates.CreateServer(_ca), _dir.Path, "server");
        var plain = FreePort.Next();
        await using var edge = await StartAsync(["--tls-cert", cert, "--tls-key", key, "--http-port", plain.ToString(CultureInfo.InvariantCulture), "--https-redirect"]);

        // Act
        var (exit, output) = await Curl.RunAsync("-sS", "-i", "-X", "POST", $"http://localhost:{plain}/orders/7?x=1&y=%20");

        // Assert
        exit.ShouldBe(0, output);
        output.ShouldStartWith("HTTP/1.1 308");
        output.ShouldContain($"\r\nlocation: https://localhost:{edge.Port}/orders/7?x=1&y=%20\r\n");
    }

    [Fact]
    public async Task AdminTls_AdminApiOverHttps_PlainHttpRefused()
    {
        // Arrange
        var (cert, key) = TestCertificates.WritePem(TestCertificates.CreateServer(_ca), _dir.Path, "admin");
        await using var edge = await EdgeProcess.StartAsync(new EdgeProcessOptions
        {
            ExtraArgs = ["--admin-tls-cert", cert, "--admin-tls-key", key],
            AdminTls = true,
            TrustedCa = _ca,
        });

        // Act
        using var health = await edge.Admin.GetAsync("/api/endpoints");
        var (plainExit, plainOutput) = await Curl.RunAsync("-sS", "--max-time", "5", $"http://127.0.0.1:{edge.AdminPort}/api/health");

        // Assert
        health.IsSuccessStatusCode.ShouldBeTrue();
        edge.AdminBase.Scheme.ShouldBe("https");
        plainExit.ShouldNotBe(0, plainOutput);
    }

    [Theory]
    [InlineData("--tls-cert", "cert.pem", "needs --tls-key")]
    [InlineData("--tls-key", "key.pem", "--tls-key needs --tls-cert")]
    [InlineData("--client-cert-mode", "sometimes", "--client-cert-mode must be none, optional or required")]
    [InlineData("--https-redirect", null, "--https-redirect needs --http-port")]
    public async Task CommandLine_IncompleteTlsSettings_ExitTwoWithOneLine(string flag, string? value, string expected)
    {
        // Arrange
        string[] args = value is null ? [flag] : [flag, Path.Combine(_dir.Path, value)];

        // Act
        var result = await EdgeProcess.RunToExitAsync(["--data", Path.Combine(_dir.Path, "data"), .. args], TimeSpan.FromSeconds(30));

        // Assert
        result.ExitCode.ShouldBe(2, result.ToString());
        result.StdErrLines.ShouldHaveSingleItem().ShouldContain(expected);
    }

    [Fact]
    public async Task CommandLine_KeyNotMatchingTheCertificate_ExitsWithOneLineNamingTheFile()
    {
        // Arrange
        var (cert, _) = TestCertificates.WritePem(TestCertificates.CreateServer(_ca), _dir.Path, "one");
        var (_, otherKey) = TestCertificates.WritePem(TestCertificates.CreateServer(_ca), _dir.Path, "two");

        // Act
        var result = await EdgeProcess.RunToExitAsync(
            ["--data", Path.Combine(_dir.Path, "data"), "--port", FreePort.Next().ToString(CultureInfo.InvariantCulture), "--admin-port", FreePort.Next().ToString(CultureInfo.InvariantCulture), "--tls-cert", cert, "--tls-key", otherKey],
            TimeSpan.FromSeconds(30));

        // Assert
        result.ExitCode.ShouldBe(1, result.ToString());
        result.StdErrLines.ShouldHaveSingleItem().ShouldContain($"cannot load the certificate {cert}");
    }

    private Task<EdgeProcess> StartAsync(string[] args) =>
        EdgeProcess.StartAsync(new EdgeProcessOptions { ExtraArgs = args, GatewayTls = true, TrustedCa = _ca });

    private static async Task<string> DeployAsync(EdgeProcess edge)
    {
        var path = Unique.Path();
        await edge.Admin.DeployNewAsync(new EndpointSpec { Path = path, Code = WhoAmI });
        return path;
    }

    private Task<(int Exit, string Output)> CurlAsync(EdgeProcess edge, string path, params string[] extra) =>
        Curl.RunAsync(
        [
            "-sS", "--max-time", "10", "--cacert", _caPem, "--resolve", $"localhost:{edge.Port}:127.0.0.1",
            .. extra, $"https://localhost:{edge.Port}{path}",
        ]);

    private static async Task<(int Exit, string Output)> OpenSslAsync(int port, string version)
    {
        var (exit, output, errors) = await Curl.RunToolAsync("sh", "-c", $"openssl s_client -connect 127.0.0.1:{port} {version} -brief </dev/null");
        return (exit, output + errors);
    }

    private static async Task<X509Certificate2> ServedCertificateAsync(int port)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        X509Certificate2? served = null;
        await using var ssl = new SslStream(tcp.GetStream(), false, (_, certificate, _, _) =>
        {
            served = X509CertificateLoader.LoadCertificate(certificate!.GetRawCertData());
            return true;
        });
        await ssl.AuthenticateAsClientAsync("localhost");
        return served!;
    }
}
