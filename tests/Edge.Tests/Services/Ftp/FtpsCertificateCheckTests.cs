using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Text.Json.Nodes;
using Edge.Services;
using Edge.Tests.Common;

namespace Edge.Tests.Services.Ftp;

/// <summary>
/// What the FTPS connector relies on, checked in this process against the real vsftpd: FtpWebRequest asks the
/// process-wide ServicePointManager callback about BOTH the control and the data channel's certificate, with an
/// SslStream sender naming the request's host (which is how <c>TlsTrust</c> finds the service's trust), and a
/// trust registered for the host with the wrong CA makes the request fail.
/// </summary>
public sealed class FtpsCertificateCheckTests
{
#pragma warning disable SYSLIB0014 // The subject under test: FtpWebRequest and ServicePointManager.
    [Fact]
    public async Task FtpWebRequest_Ftps_CallbackAskedForControlAndDataChannels()
    {
        // Arrange: record every question the process-wide callback gets
        var seen = new ConcurrentQueue<(string Sender, string? Host, string? Subject)>();
        var previous = ServicePointManager.ServerCertificateValidationCallback;
        ServicePointManager.ServerCertificateValidationCallback = (sender, certificate, _, _) =>
        {
            seen.Enqueue((sender.GetType().Name, (sender as SslStream)?.TargetHostName, certificate?.Subject));
            return true;
        };
        try
        {
            // Act: a listing and a download, each with a control and a data connection
            await SendAsync(WebRequestMethods.Ftp.ListDirectoryDetails, "/");
            await SendAsync(WebRequestMethods.Ftp.PrintWorkingDirectory, "/");
        }
        finally
        {
            ServicePointManager.ServerCertificateValidationCallback = previous;
        }

        // Assert: listing = control + data, pwd = control only
        seen.Count.ShouldBe(3, string.Join("; ", seen));
        seen.ShouldAllBe(s => s.Sender == nameof(SslStream) && s.Host == TestServices.Get("FTP_HOST") && s.Subject == "CN=localhost");
    }

    [Fact]
    public async Task RegisteredTrust_RightCaPasses_WrongCaFailsTheHandshake()
    {
        // Arrange: trusts as the connector builds them, registered for a host name only this test uses
        using var temp = new TempDir();
        var wrongCa = Path.Combine(temp.Path, "ca.pem");
        var start = new System.Diagnostics.ProcessStartInfo("openssl",
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=wrong", "-keyout", Path.Combine(temp.Path, "k"), "-out", wrongCa])
        {
            RedirectStandardError = true,
        };
        using (var openssl = System.Diagnostics.Process.Start(start)!)
        {
            await openssl.StandardError.ReadToEndAsync();
            await openssl.WaitForExitAsync();
            openssl.ExitCode.ShouldBe(0);
        }

        var right = TlsTrust.From(new JsonObject { ["ca_cert_path"] = TestServices.CaCert });
        var wrong = TlsTrust.From(new JsonObject { ["ca_cert_path"] = wrongCa });

        // Act / Assert
        right.RegisterForServicePoint("localhost");
        (await SendAsync(WebRequestMethods.Ftp.ListDirectoryDetails, "/", host: "localhost")).ShouldNotBeNull();
        wrong.RegisterForServicePoint("localhost");
        var error = await Should.ThrowAsync<AuthenticationException>(() => SendAsync(WebRequestMethods.Ftp.ListDirectoryDetails, "/", host: "localhost"));
        error.Message.ShouldContain("RemoteCertificateValidationCallback");
        right.RegisterForServicePoint("localhost");
    }

    private static async Task<string> SendAsync(string method, string path, string? host = null)
    {
        var uri = new UriBuilder("ftp", host ?? TestServices.Get("FTP_HOST"), TestServices.Port("FTP_PORT"), path).Uri;
        var request = (FtpWebRequest)WebRequest.Create(uri);
        request.Method = method;
        request.EnableSsl = true;
        request.Credentials = new NetworkCredential(TestServices.Get("FTP_USER"), TestServices.Get("FTP_PASSWORD"));
        using var response = (FtpWebResponse)await request.GetResponseAsync();
        using var reader = new StreamReader(response.GetResponseStream());
        return await reader.ReadToEndAsync();
    }
#pragma warning restore SYSLIB0014
}
