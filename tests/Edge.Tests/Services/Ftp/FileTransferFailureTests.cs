using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Edge.Tests.Common;

namespace Edge.Tests.Services.Ftp;

/// <summary>
/// The file transfer connectors when things go wrong: untrusted TLS certificate, wrong host key, wrong
/// credentials, server killed and restarted under a running edge, the probe, and secrets kept out of every answer
/// and log.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class FileTransferFailureTests(GatewayFixture fixture) : IDisposable
{
    private readonly EdgeProcess _edge = fixture.Edge;
    private readonly List<FileServer> _servers = [];

    [Fact]
    public async Task Ftps_CertificateFromAnotherCa_503NamingTlsAndNothingWritten()
    {
        // Arrange: a throwaway CA that did not sign the server's certificate. The host is "localhost" (also in
        // the certificate) so that this service's trust, registered for its host name, never stands in for the
        // one the other FTPS tests register for 127.0.0.1.
        using var temp = new TempDir();
        var wrongCa = MakeThrowawayCa(temp.Path);
        var server = Track(FileServer.Create("ftps"));
        var name = Unique.Name("ftps-wrong-ca");
        var id = await _edge.Admin.CreateServiceAsync(server.Body(name, new Dictionary<string, object?> { ["host"] = "localhost", ["ca_cert_path"] = wrongCa }));
        var files = await FileTransferEndpoint.DeployAsync(_edge, name);

        // Act
        var (status, body) = await files.CallAsync("put", "x.txt", [1]);
        var probe = (await _edge.Admin.PostApiAsync($"/api/services/{id}/test")).ShouldSucceed();

        // Assert
        status.ShouldBe(HttpStatusCode.ServiceUnavailable, body);
        var error = JsonDocument.Parse(body).RootElement.GetProperty("error").GetString()!;
        error.ShouldContain(name);
        error.ShouldContain("TLS handshake failed");
        error.ShouldContain("ca_cert_path");
        probe.Data.Bool("connected").ShouldBeFalse(probe.Body);
        probe.Data.Str("error").ShouldContain("TLS handshake failed");
        Directory.Exists(server.Disk).ShouldBeFalse("nothing may be sent to a server that is not trusted");
    }

    [Fact]
    public async Task Ftps_RightCaByHostName_Works()
    {
        // Arrange: the same check with the right CA and the DNS name of the certificate
        var server = Track(FileServer.Create("ftps"));
        var name = Unique.Name("ftps-dns");
        await _edge.Admin.CreateServiceAsync(server.Body(name, new Dictionary<string, object?> { ["host"] = "localhost" }));
        var files = await FileTransferEndpoint.DeployAsync(_edge, name);

        // Act
        await files.PutAsync("ok.txt", [7]);

        // Assert
        File.ReadAllBytes(Path.Combine(server.Disk, "ok.txt")).ShouldBe([7]);
    }

    [Fact]
    public async Task Sftp_WrongHostKeyFingerprint_RefusedNamingBothFingerprints()
    {
        // Arrange
        var server = Track(FileServer.Create("sftp-key"));
        var name = Unique.Name("sftp-wrong-key");
        var wrong = "SHA256:" + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)).TrimEnd('=');
        var id = await _edge.Admin.CreateServiceAsync(server.Body(name, new Dictionary<string, object?> { ["host_key_fingerprint"] = wrong }));
        var files = await FileTransferEndpoint.DeployAsync(_edge, name);

        // Act
        var (status, body) = await files.CallAsync("put", "x.txt", [1]);
        var probe = (await _edge.Admin.PostApiAsync($"/api/services/{id}/test")).ShouldSucceed();

        // Assert
        status.ShouldBe(HttpStatusCode.ServiceUnavailable, body);
        var error = JsonDocument.Parse(body).RootElement.GetProperty("error").GetString()!;
        error.ShouldContain(name);
        error.ShouldContain("host key refused");
        error.ShouldContain(wrong);
        error.ShouldContain(TestServices.Get("SFTP_HOST_KEY_FINGERPRINT"));
        probe.Data.Bool("connected").ShouldBeFalse(probe.Body);
        probe.Data.Str("error").ShouldContain("host key refused");
        Directory.Exists(server.Disk).ShouldBeFalse();
    }

    [Fact]
    public async Task Sftp_KnownHostsWithoutTheServer_HostKeyVerificationFails()
    {
        // Arrange: a known_hosts file that names another key for the server
        using var temp = new TempDir();
        var knownHosts = Path.Combine(temp.Path, "known hosts %h");
        var other = File.ReadAllText(TestServices.Get("SFTP_PUBLIC_KEY")).Split(' ');
        File.WriteAllText(knownHosts, $"[{TestServices.Get("SFTP_HOST")}]:{TestServices.Get("SFTP_PORT")} {other[0]} {other[1]}\n");
        var server = Track(FileServer.Create("sftp-key"));
        var name = Unique.Name("sftp-kh");
        await _edge.Admin.CreateServiceAsync(server.Body(name, new Dictionary<string, object?> { ["known_hosts_path"] = knownHosts, ["host_key_fingerprint"] = null }));
        var files = await FileTransferEndpoint.DeployAsync(_edge, name);

        // Act
        var (status, body) = await files.CallAsync("get", "x.txt");

        // Assert
        status.ShouldBe(HttpStatusCode.ServiceUnavailable, body);
        body.ShouldContain("host key verification failed");
    }

    [Fact]
    public async Task Sftp_KnownHostsPath_Works()
    {
        // Arrange: the server's own known_hosts file, in a folder whose name needs quoting for ssh
        using var temp = new TempDir();
        var knownHosts = Path.Combine(temp.Path, "known hosts %h");
        File.Copy(TestServices.Get("SFTP_KNOWN_HOSTS"), knownHosts);
        var server = Track(FileServer.Create("sftp-key"));
        var name = Unique.Name("sftp-kh");
        await _edge.Admin.CreateServiceAsync(server.Body(name, new Dictionary<string, object?> { ["known_hosts_path"] = knownHosts, ["host_key_fingerprint"] = null }));
        var files = await FileTransferEndpoint.DeployAsync(_edge, name);

        // Act
        await files.PutAsync("kh.txt", [5]);

        // Assert
        File.ReadAllBytes(Path.Combine(server.Disk, "kh.txt")).ShouldBe([5]);
    }

    [Theory]
    [InlineData("ftp")]
    [InlineData("sftp-password")]
    [InlineData("sftp-key")]
    public async Task WrongCredentials_503AuthenticationNamed(string variant)
    {
        // Arrange: a wrong password, or a key the server does not know
        using var temp = new TempDir();
        var server = Track(FileServer.Create(variant));
        var name = Unique.Name("bad-login");
        var wrongPassword = "wrong-" + Guid.NewGuid().ToString("N");
        Dictionary<string, object?> extra = variant == "sftp-key"
            ? new() { ["private_key_path"] = MakeKey(temp.Path) }
            : new() { ["password"] = wrongPassword };
        var id = await _edge.Admin.CreateServiceAsync(server.Body(name, extra));
        var files = await FileTransferEndpoint.DeployAsync(_edge, name);

        // Act
        var (status, body) = await files.CallAsync("list", "");
        var probe = (await _edge.Admin.PostApiAsync($"/api/services/{id}/test")).ShouldSucceed();

        // Assert
        status.ShouldBe(HttpStatusCode.ServiceUnavailable, body);
        body.ShouldContain(name);
        body.ShouldContain(variant == "ftp" ? "refused the login" : "authentication failed");
        probe.Data.Bool("connected").ShouldBeFalse();
        body.ShouldNotContain(wrongPassword);
        probe.Body.ShouldNotContain(wrongPassword);
        _edge.StdOut.ShouldNotContain(wrongPassword);
        _edge.StdErr.ShouldNotContain(wrongPassword);
    }

    [Theory]
    [MemberData(nameof(FileServer.Variants), MemberType = typeof(FileServer))]
    public async Task ServerKilled_503NamingService_ThenWorksAfterRestartWithoutRestartingEdge(string variant)
    {
        // Arrange: a working service (for sftp: with its shared SSH connection open)
        var server = Track(FileServer.Create(variant));
        var name = Unique.Name("killed");
        await _edge.Admin.CreateServiceAsync(server.Body(name));
        var files = await FileTransferEndpoint.DeployAsync(_edge, name);
        await files.PutAsync("before.txt", [1]);
        var launches = _edge.Launches;

        try
        {
            // Act: kill the server. Other suites sharing these servers run "services.sh start" after their own
            // kill tests, which starts every server that is down: when ours came back that way, kill it again.
            HttpStatusCode status;
            string body;
            var attempts = 0;
            do
            {
                var pid = ServerPid(server.Server);
                await TestServices.KillAsync(server.Server);
                (status, body) = await files.CallAsync("get", "before.txt");
                if (status == HttpStatusCode.ServiceUnavailable || ServerPid(server.Server) == pid)
                {
                    break;
                }
            }
            while (++attempts < 5);

            // Assert: 503 naming the service
            status.ShouldBe(HttpStatusCode.ServiceUnavailable, body);
            var error = JsonDocument.Parse(body).RootElement.GetProperty("error").GetString()!;
            error.ShouldContain($"service '{name}'");
            error.ShouldContain("unavailable");
        }
        finally
        {
            await TestServices.RestartAsync();
        }

        // Assert: back without restarting edge (once the fail-fast window is over)
        var back = await Eventually.HoldsAsync(async () => (await files.CallAsync("get", "before.txt")).Status == HttpStatusCode.OK, TimeSpan.FromSeconds(20), 200);
        back.ShouldBeTrue(await Describe(files));
        (await files.GetAsync("before.txt")).ShouldBe([1]);
        await files.PutAsync("after.txt", [2]);
        File.ReadAllBytes(Path.Combine(server.Disk, "after.txt")).ShouldBe([2]);
        _edge.Launches.ShouldBe(launches);
    }

    [Theory]
    [MemberData(nameof(FileServer.Variants), MemberType = typeof(FileServer))]
    public async Task Test_LiveServer_ConnectedWithLatencyAndMessage(string variant)
    {
        // Arrange
        var server = Track(FileServer.Create(variant));
        var id = await _edge.Admin.CreateServiceAsync(server.Body(Unique.Name("probe")));
        server.WriteOnDisk("one.txt", [1]);

        // Act
        var probe = (await _edge.Admin.PostApiAsync($"/api/services/{id}/test")).ShouldSucceed();

        // Assert
        probe.Data.Bool("connected").ShouldBeTrue(probe.Body);
        probe.Data.Num("latency_ms").ShouldBeGreaterThanOrEqualTo(0);
        var message = probe.Data.Str("message");
        message.ShouldStartWith(server.Protocol + ": logged in");
        message.ShouldContain(server.IsSftp ? server.Disk : "/" + server.Folder);
    }

    [Theory]
    [InlineData("ftp")]
    [InlineData("sftp-key")]
    public async Task Test_BaseFolderMissing_ConnectedSaysCreatedOnFirstPut(string variant)
    {
        // Arrange
        var server = Track(FileServer.Create(variant));
        var id = await _edge.Admin.CreateServiceAsync(server.Body(Unique.Name("probe")));

        // Act
        var probe = (await _edge.Admin.PostApiAsync($"/api/services/{id}/test")).ShouldSucceed();

        // Assert
        probe.Data.Bool("connected").ShouldBeTrue(probe.Body);
        probe.Data.Str("message").ShouldContain("does not exist yet");
    }

    [Theory]
    [MemberData(nameof(FileServer.Variants), MemberType = typeof(FileServer))]
    public async Task Test_NothingListening_NotConnectedWithError(string variant)
    {
        // Arrange: a port where nothing listens
        var server = Track(FileServer.Create(variant));
        var id = await _edge.Admin.CreateServiceAsync(server.Body(Unique.Name("dead"), new Dictionary<string, object?> { ["port"] = FreePort.Next() }));

        // Act
        var probe = (await _edge.Admin.PostApiAsync($"/api/services/{id}/test")).ShouldSucceed();

        // Assert
        probe.Data.Bool("connected").ShouldBeFalse(probe.Body);
        probe.Data.Str("error").ShouldContain(server.IsSftp ? "cannot connect" : "cannot connect");
    }

    [Fact]
    public async Task Secrets_PasswordAndPrivateKey_NeverInAnswersOrLogs()
    {
        // Arrange: a password service, a private_key service (the key's text as a secret), and failing calls
        var keyText = File.ReadAllText(TestServices.Get("SFTP_PRIVATE_KEY"));
        var keyLine = keyText.Split('\n')[2].Trim();
        var sftpPassword = TestServices.Get("SFTP_PASSWORD");
        var ftpPassword = TestServices.Get("FTP_PASSWORD");
        var withKey = Track(FileServer.Create("sftp-key"));
        var keyName = Unique.Name("sftp-secret-key");
        var keyId = await _edge.Admin.CreateServiceAsync(withKey.Body(keyName, new Dictionary<string, object?> { ["private_key_path"] = null, ["private_key"] = keyText }));
        var withPassword = Track(FileServer.Create("sftp-password"));
        var passwordName = Unique.Name("sftp-secret-pw");
        var passwordId = await _edge.Admin.CreateServiceAsync(withPassword.Body(passwordName));
        var ftp = Track(FileServer.Create("ftps"));
        var ftpName = Unique.Name("ftp-secret");
        var ftpId = await _edge.Admin.CreateServiceAsync(ftp.Body(ftpName));
        var files = await FileTransferEndpoint.DeployAsync(_edge, keyName);

        // Act: work through each, fail through each
        var answers = new List<string>();
        foreach (var (name, server) in new[] { (keyName, withKey), (passwordName, withPassword), (ftpName, ftp) })
        {
            var service = files.For(name);
            await service.PutAsync("s.txt", [1]);
            File.ReadAllBytes(Path.Combine(server.Disk, "s.txt")).ShouldBe([1]);
            answers.Add((await service.CallAsync("get", "../x")).Body);
            answers.Add((await service.CallAsync("get", "missing")).Body);
        }

        // the key file lives in the service's state folder, 0600, while the service is active
        var keyFiles = Directory.GetFiles(Path.Combine(_edge.DataDir, "services", keyId), "id", SearchOption.AllDirectories);
        keyFiles.Length.ShouldBe(1);
        File.GetUnixFileMode(keyFiles[0]).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.GetUnixFileMode(Path.GetDirectoryName(keyFiles[0])!).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        foreach (var id in new[] { keyId, passwordId, ftpId })
        {
            answers.Add((await _edge.Admin.GetApiAsync($"/api/services/{id}")).Body);
            answers.Add((await _edge.Admin.PostApiAsync($"/api/services/{id}/test")).Body);
        }

        answers.Add((await _edge.Admin.GetApiAsync("/api/services")).Body);
        await _edge.Admin.PutApiAsync($"/api/services/{passwordId}", new { config = new { password = "wrong-" + Guid.NewGuid().ToString("N") } });
        answers.Add((await files.For(passwordName).CallAsync("list", "")).Body);
        answers.Add((await _edge.Admin.PostApiAsync($"/api/services/{keyId}/deactivate")).Body);

        // Assert
        foreach (var text in answers.Append(_edge.StdOut).Append(_edge.StdErr))
        {
            text.ShouldNotContain(sftpPassword);
            text.ShouldNotContain(ftpPassword);
            text.ShouldNotContain(keyLine);
            text.ShouldNotContain("PRIVATE KEY-----");
        }

        // deactivated: the key copy is gone
        Directory.GetFiles(Path.Combine(_edge.DataDir, "services", keyId), "*", SearchOption.AllDirectories).ShouldBeEmpty();
    }

    [Fact]
    public async Task Create_UnusableConfig_400NamingField()
    {
        // Arrange
        var sftp = Track(FileServer.Create("sftp-key"));

        // Act / Assert: a key file that cannot be read, a fingerprint that is not one, no credentials at all
        (await _edge.Admin.PostApiAsync("/api/services", sftp.Body(Unique.Name("bad"), new Dictionary<string, object?> { ["private_key_path"] = "/nonexistent/key" })))
            .ShouldFail(HttpStatusCode.BadRequest).Body.ShouldContain("config.private_key_path");
        (await _edge.Admin.PostApiAsync("/api/services", sftp.Body(Unique.Name("bad"), new Dictionary<string, object?> { ["host_key_fingerprint"] = "MD5:aa:bb" })))
            .ShouldFail(HttpStatusCode.BadRequest).Body.ShouldContain("config.host_key_fingerprint");
        (await _edge.Admin.PostApiAsync("/api/services", sftp.Body(Unique.Name("bad"), new Dictionary<string, object?> { ["private_key_path"] = null })))
            .ShouldFail(HttpStatusCode.BadRequest).Body.ShouldContain("config.password");
        (await _edge.Admin.PostApiAsync("/api/services", Track(FileServer.Create("ftp")).Body(Unique.Name("bad"), new Dictionary<string, object?> { ["base_path"] = "/a/../b" })))
            .ShouldFail(HttpStatusCode.BadRequest).Body.ShouldContain("config.base_path");
        (await _edge.Admin.PostApiAsync("/api/services", Track(FileServer.Create("ftps")).Body(Unique.Name("bad"), new Dictionary<string, object?> { ["ca_cert_path"] = "/nonexistent/ca.pem" })))
            .ShouldFail(HttpStatusCode.BadRequest).Body.ShouldContain("config.ca_cert_path");
    }

    /// <summary>The server's recorded PID line ("pid starttime"), which changes when it is started again.</summary>
    private static string ServerPid(string server) =>
        File.ReadAllText(Path.Combine(TestServices.Dir, "run", server + ".pid")).Trim();

    private static string MakeThrowawayCa(string folder)
    {
        var ca = Path.Combine(folder, "ca.pem");
        Run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=throwaway test CA",
            "-keyout", Path.Combine(folder, "ca.key"), "-out", ca);
        return ca;
    }

    private static string MakeKey(string folder)
    {
        var key = Path.Combine(folder, "unknown_key");
        Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key);
        return key;
    }

    private static void Run(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        process.ExitCode.ShouldBe(0, $"{file}: {stderr.Result}");
    }

    private static async Task<string> Describe(FileTransferEndpoint files)
    {
        var (status, body) = await files.CallAsync("get", "before.txt");
        return $"{(int)status} {body}";
    }

    public void Dispose()
    {
        foreach (var server in _servers)
        {
            server.Delete();
        }
    }

    private FileServer Track(FileServer server)
    {
        _servers.Add(server);
        return server;
    }
}
