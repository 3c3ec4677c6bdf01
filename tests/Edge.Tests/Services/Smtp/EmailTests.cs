using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Edge.Tests.Common;
using Xunit.Abstractions;

namespace Edge.Tests.Services.Smtp;

/// <summary>
/// <c>ctx.Email(name)</c> against the real SMTP sink (aiosmtpd: STARTTLS with the private CA, AUTH LOGIN/PLAIN),
/// read back from the sink's folder; the sink killed and restarted under a running gateway.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class EmailTests(GatewayFixture fixture, ITestOutputHelper output)
{
    private const string Handler = """
        async Task<Response> Handle(Context ctx, Request req)
        {
            var m = req.Json<Dictionary<string, string>>();
            var email = ctx.Email("__SERVICE__");
            switch (m["op"])
            {
                case "text": await email.SendAsync(m["to"], m["subject"], m["body"]); break;
                case "html": await email.SendHtmlAsync(m["to"], m["subject"], m["body"]); break;
                case "from": await email.SendFromAsync(m["from"], m["from_name"], m["to"], m["subject"], m["body"]); break;
                default: return Response.BadRequest("unknown op");
            }
            return Response.Ok(new { sent = true });
        }
        """;

    private readonly EdgeProcess _edge = fixture.Edge;

    [Fact]
    public async Task SendAsync_Text_ArrivesOverTlsWithFromToSubjectAndBody()
    {
        // Arrange
        var path = await DeployAsync(await CreateServiceAsync(new { from_name = "Edge Tests" }));
        var to = Recipient();
        var cc = Recipient();

        // Act
        using var response = await SendAsync(path, "text", $"{to}, Second One <{cc}>", "Plain hello", "line one\r\nline two");
        var mail = await SinkMail.WaitForAsync(to);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
        mail.EnvelopeFrom.ShouldBe("edge@example.test");
        mail.EnvelopeTo.ShouldBe([to, cc], ignoreOrder: true);
        mail.Tls.ShouldBeTrue("encryption starttls");
        mail.Header("From").ShouldBe("\"Edge Tests\" <edge@example.test>");
        mail.Header("To").ShouldContain(to);
        mail.Header("To").ShouldContain($"\"Second One\" <{cc}>");
        mail.Header("Subject").ShouldBe("Plain hello");
        mail.Header("Content-Type").ShouldStartWith("text/plain");
        mail.Body.ShouldBe("line one\r\nline two");
    }

    [Fact]
    public async Task SendHtmlAsync_ArrivesAsTextHtml()
    {
        // Arrange
        var path = await DeployAsync(await CreateServiceAsync());
        var to = Recipient();
        const string html = "<html><body><h1>Hello</h1><p>from <b>edge</b></p></body></html>";

        // Act
        using var response = await SendAsync(path, "html", to, "Html hello", html);
        var mail = await SinkMail.WaitForAsync(to);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
        mail.Header("Content-Type").ShouldStartWith("text/html");
        mail.Header("Subject").ShouldBe("Html hello");
        mail.Body.ShouldBe(html);
    }

    [Fact]
    public async Task SendFromAsync_UsesTheGivenSenderInEnvelopeAndHeader()
    {
        // Arrange
        var path = await DeployAsync(await CreateServiceAsync(new { from_name = "Default Name" }));
        var to = Recipient();

        // Act
        using var response = await SendAsync(path, "from", to, "From someone", "body from someone",
            ("from", "orders@shop.example"), ("from_name", "Shop Orders"));
        var mail = await SinkMail.WaitForAsync(to);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
        mail.EnvelopeFrom.ShouldBe("orders@shop.example");
        mail.Header("From").ShouldBe("\"Shop Orders\" <orders@shop.example>");
        mail.Header("Content-Type").ShouldStartWith("text/plain");
        mail.Body.ShouldBe("body from someone");
    }

    [Fact]
    public async Task Send_UnicodeSubjectAndBody_ArriveIntact()
    {
        // Arrange
        var path = await DeployAsync(await CreateServiceAsync());
        var to = Recipient();

        // Act
        using var response = await SendAsync(path, "text", to, "Grüße ✓ 日本", "Ünïcödé body — ✓");
        var mail = await SinkMail.WaitForAsync(to);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
        mail.Header("Subject").ShouldBe("Grüße ✓ 日本");
        mail.Body.ShouldBe("Ünïcödé body — ✓");
    }

    [Fact]
    public async Task Send_WithUsernameAndPassword_SinkSeesAuthenticatedUser()
    {
        // Arrange
        var path = await DeployAsync(await CreateServiceAsync());
        var to = Recipient();

        // Act
        using var response = await SendAsync(path, "text", to, "Authenticated", "who am i");
        var mail = await SinkMail.WaitForAsync(to);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
        mail.AuthUser.ShouldBe(TestServices.Get("SMTP_USER"),
            "SmtpClient sends 'AUTH login <base64 user>' (mechanism in lower case); the sink must accept it case-insensitively, " +
            "otherwise it answers 504 and SmtpClient silently goes on without AUTH");
    }

    [Fact]
    public async Task Send_EncryptionNoneWithoutCredentials_GoesInClear()
    {
        // Arrange
        var path = await DeployAsync(await CreateServiceAsync(new Dictionary<string, object?>
        {
            ["encryption"] = "none",
            ["username"] = null,
            ["password"] = null,
            ["ca_cert_path"] = null,
        }));
        var to = Recipient();

        // Act
        using var response = await SendAsync(path, "text", to, "Clear", "no tls");
        var mail = await SinkMail.WaitForAsync(to);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
        mail.Tls.ShouldBeFalse();
        mail.AuthUser.ShouldBeNull();
    }

    [Theory]
    [InlineData("not-an-address", "not-an-address")]
    [InlineData("good@example.test, bad one", "bad one")]
    [InlineData("a@b@c.example", "a@b@c.example")]
    public async Task Send_BadRecipient_400NamingIt(string to, string named)
    {
        // Arrange
        var path = await DeployAsync(await CreateServiceAsync());

        // Act
        using var response = await SendAsync(path, "text", to, "Never sent", "x");

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, await response.DescribeAsync());
        (await response.JsonAsync()).Str("error").ShouldContain($"'{named}'");
    }

    [Fact]
    public async Task Send_EmptyRecipientOrBadSender_400()
    {
        // Arrange
        var path = await DeployAsync(await CreateServiceAsync());

        // Act
        using var empty = await SendAsync(path, "text", " ", "Never sent", "x");
        using var badFrom = await SendAsync(path, "from", Recipient(), "Never sent", "x", ("from", "nobody"), ("from_name", "N"));

        // Assert
        empty.StatusCode.ShouldBe(HttpStatusCode.BadRequest, await empty.DescribeAsync());
        (await empty.JsonAsync()).Str("error").ShouldContain("recipient");
        badFrom.StatusCode.ShouldBe(HttpStatusCode.BadRequest, await badFrom.DescribeAsync());
        (await badFrom.JsonAsync()).Str("error").ShouldContain("'nobody'");
    }

    [Theory]
    [InlineData("subject", "Hello\r\nBcc: victim@example.test")]
    [InlineData("subject", "Hello\nX-Injected: yes")]
    [InlineData("from_name", "Shop\r\nBcc: victim@example.test")]
    public async Task Send_LineBreakInHeader_400AndNothingSent(string field, string value)
    {
        // Arrange
        var path = await DeployAsync(await CreateServiceAsync());
        var to = Recipient();
        var subject = field == "subject" ? value : "Fine subject";
        var fromName = field == "from_name" ? value : "Fine";

        // Act
        using var response = await SendAsync(path, "from", to, subject, "x", ("from", "shop@example.test"), ("from_name", fromName));

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, await response.DescribeAsync());
        (await response.JsonAsync()).Str("error").ShouldContain("line break");
        await Task.Delay(300);
        SinkMail.Find(to).ShouldBeNull();
    }

    [Theory]
    [InlineData("from_address", "not an address")]
    [InlineData("from_name", "Edge\r\nBcc: victim@example.test")]
    [InlineData("ca_cert_path", "/nonexistent/ca.pem")]
    public async Task Create_UnusableConfig_400NamingTheField(string field, string value)
    {
        // Act
        var response = await _edge.Admin.PostApiAsync("/api/services",
            TestServices.Smtp(Unique.Name("mail-badcfg"), new Dictionary<string, object?> { [field] = value }));

        // Assert
        response.ShouldFail(HttpStatusCode.BadRequest).ShouldNameFields($"config.{field}");
    }

    [Fact]
    public async Task StartTls_WrongCa_503NamingCertificateAndTestFails()
    {
        // Arrange: a CA that did not sign the sink's certificate
        using var dir = new TempDir();
        var wrongCa = Path.Combine(dir.Path, "other-ca.pem");
        await File.WriteAllTextAsync(wrongCa, SelfSignedCaPem());
        var name = Unique.Name("mail-wrongca");
        var id = await _edge.Admin.CreateServiceAsync(TestServices.Smtp(name, new { ca_cert_path = wrongCa }));
        var path = await DeployAsync(name);
        var to = Recipient();

        // Act
        using var response = await SendAsync(path, "text", to, "Never sent", "x");
        var probe = (await _edge.Admin.PostApiAsync($"/api/services/{id}/test")).ShouldSucceed().Data;
        output.WriteLine($"{await response.DescribeAsync()}\n{probe}");

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, await response.DescribeAsync());
        var error = (await response.JsonAsync()).Str("error");
        error.ShouldContain(name);
        error.ShouldContain("certificate");
        probe.Bool("connected").ShouldBeFalse(probe.ToString());
        probe.Str("error").ShouldContain("certificate");
        SinkMail.Find(to).ShouldBeNull();
    }

    [Fact]
    public async Task Test_LiveSink_ConnectedAfterStartTls()
    {
        // Arrange
        var id = await _edge.Admin.CreateServiceAsync(TestServices.Smtp(Unique.Name("mail-live")));

        // Act
        var probe = (await _edge.Admin.PostApiAsync($"/api/services/{id}/test")).ShouldSucceed().Data;
        output.WriteLine(probe.ToString());

        // Assert
        probe.Bool("connected").ShouldBeTrue(probe.ToString());
        probe.Str("message").ShouldStartWith("SMTP 220 ");
        probe.Str("message").ShouldContain("STARTTLS Tls");
        probe.Str("message").ShouldContain($"AUTH LOGIN as {TestServices.Get("SMTP_USER")} accepted");
        probe.Num("latency_ms").ShouldBeGreaterThanOrEqualTo(0);
    }

    [Fact]
    public async Task Test_NothingListening_NotConnectedWithError()
    {
        // Arrange
        var port = FreePort.Next();
        var id = await _edge.Admin.CreateServiceAsync(TestServices.Smtp(Unique.Name("mail-dead"), new { port }));

        // Act
        var probe = (await _edge.Admin.PostApiAsync($"/api/services/{id}/test")).ShouldSucceed().Data;
        output.WriteLine(probe.ToString());

        // Assert
        probe.Bool("connected").ShouldBeFalse(probe.ToString());
        probe.Str("error").ShouldContain($"cannot connect to 127.0.0.1:{port}");
    }

    [Fact]
    public async Task Test_WrongPassword_NotConnectedNamingAuth()
    {
        // Arrange: SmtpClient would go on without AUTH after a refusal; the probe is where a bad password shows
        var wrongPassword = "wrong-" + Guid.NewGuid().ToString("N");
        var id = await _edge.Admin.CreateServiceAsync(TestServices.Smtp(Unique.Name("mail-badpw"), new { password = wrongPassword }));

        // Act
        var probe = (await _edge.Admin.PostApiAsync($"/api/services/{id}/test")).ShouldSucceed();
        output.WriteLine(probe.Body);

        // Assert
        probe.Data.Bool("connected").ShouldBeFalse(probe.ToString());
        probe.Data.Str("error").ShouldContain("AUTH LOGIN (password): expected 235, the server answered 535");
        probe.Body.ShouldNotContain(wrongPassword);
        _edge.StdOut.ShouldNotContain(wrongPassword);
        _edge.StdErr.ShouldNotContain(wrongPassword);
    }

    [Fact]
    public async Task Secrets_NeverInApiAnswersNorInGatewayOutput()
    {
        // Arrange
        var password = TestServices.Get("SMTP_PASSWORD");
        var name = Unique.Name("mail-secret");
        var created = (await _edge.Admin.PostApiAsync("/api/services", TestServices.Smtp(name))).ShouldSucceed();
        var id = created.Data.Str("id");
        var deadId = await _edge.Admin.CreateServiceAsync(TestServices.Smtp(Unique.Name("mail-secret-dead"), new { port = FreePort.Next() }));
        var path = await DeployAsync(name);

        // Act: a successful send, a probe of each, a failing send
        using var sent = await SendAsync(path, "text", Recipient(), "Secret check", "x");
        using var refused = await SendAsync(path, "text", "bad address", "Secret check", "x");
        var answers = new[]
        {
            created.Body,
            (await _edge.Admin.PostApiAsync($"/api/services/{id}/test")).Body,
            (await _edge.Admin.PostApiAsync($"/api/services/{deadId}/test")).Body,
            (await _edge.Admin.PostApiAsync($"/api/services/{id}/activate")).Body,
            (await _edge.Admin.GetApiAsync($"/api/services/{id}")).Body,
            (await _edge.Admin.GetApiAsync("/api/services")).Body,
            await sent.Content.ReadAsStringAsync(),
            await refused.Content.ReadAsStringAsync(),
        };

        // Assert
        sent.StatusCode.ShouldBe(HttpStatusCode.OK, await sent.DescribeAsync());
        foreach (var text in answers)
        {
            text.ShouldNotContain(password);
        }

        _edge.StdOut.ShouldNotContain(password);
        _edge.StdErr.ShouldNotContain(password);
    }

    [Fact]
    public async Task Send_ServerNeverGreets_504AtCallTimeout()
    {
        // Arrange: something accepts the TCP connection and never says a word
        using var silent = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var name = Unique.Name("mail-silent");
        await _edge.Admin.CreateServiceAsync(TestServices.Smtp(name, new { port, call_timeout_ms = 700 }));
        var path = await DeployAsync(name);
        var clock = Stopwatch.StartNew();

        // Act
        using var response = await SendAsync(path, "text", Recipient(), "Never sent", "x");

        // Assert: the send is cancelled at call_timeout_ms, not at SmtpClient's 100 s
        response.StatusCode.ShouldBe(HttpStatusCode.GatewayTimeout, await response.DescribeAsync());
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(3));
        (await response.JsonAsync()).Str("error").ShouldContain(name);
    }

    [Fact]
    public async Task SinkKilled_503NamingService_ThenRecoversWithoutRestartingEdge()
    {
        // Arrange
        var name = await CreateServiceAsync();
        var path = await DeployAsync(name);
        using (var before = await SendAsync(path, "text", Recipient(), "Before", "x"))
        {
            before.StatusCode.ShouldBe(HttpStatusCode.OK, await before.DescribeAsync());
        }

        var edgePid = _edge.ProcessId;
        try
        {
            // Act 1
            await TestServices.KillAsync("smtp");
            var down = Stopwatch.StartNew();
            using var failed = await SendAsync(path, "text", Recipient(), "While down", "x");
            output.WriteLine($"send while the sink is down answered in {down.ElapsedMilliseconds} ms: {await failed.DescribeAsync()}");

            // Assert 1
            failed.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, await failed.DescribeAsync());
            (await failed.JsonAsync()).Str("error").ShouldContain($"service '{name}'");

            // Act 2
            await TestServices.RestartAsync();
            var restarted = Stopwatch.StartNew();
            var to = Recipient();
            var recovered = await Eventually.HoldsAsync(async () =>
            {
                using var response = await SendAsync(path, "text", to, "After", "back");
                return response.StatusCode == HttpStatusCode.OK;
            }, TimeSpan.FromSeconds(20), pollMs: 100);
            output.WriteLine($"200 again {restarted.ElapsedMilliseconds} ms after the sink answered");

            // Assert 2
            recovered.ShouldBeTrue("mail goes out again after the sink restarted");
            (await SinkMail.WaitForAsync(to)).Body.ShouldBe("back");
            _edge.ProcessId.ShouldBe(edgePid);
        }
        finally
        {
            await TestServices.RestartAsync();
        }
    }

    private static string Recipient() => $"{Unique.Name("rcpt")}@example.test";

    private static string SelfSignedCaPem()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=Not the edge test CA", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return certificate.ExportCertificatePem();
    }

    private async Task<string> CreateServiceAsync(object? extra = null)
    {
        var name = Unique.Name("mail");
        await _edge.Admin.CreateServiceAsync(TestServices.Smtp(name, extra));
        return name;
    }

    private async Task<string> DeployAsync(string serviceName)
    {
        var path = Unique.Path("mail");
        await _edge.Admin.DeployNewAsync(new EndpointSpec
        {
            Path = path,
            Method = "POST",
            Code = Handler.Replace("__SERVICE__", serviceName, StringComparison.Ordinal),
        });
        return path;
    }

    private Task<HttpResponseMessage> SendAsync(string path, string op, string to, string subject, string body, params (string Name, string Value)[] extra)
    {
        var fields = new Dictionary<string, string> { ["op"] = op, ["to"] = to, ["subject"] = subject, ["body"] = body };
        foreach (var (name, value) in extra)
        {
            fields[name] = value;
        }

        return _edge.Gateway.SendAsync(HttpMethod.Post, path, JsonSerializer.Serialize(fields));
    }
}
