// BareHttps PORT CERT.pem KEY.pem: GET anything → {"message":"hello"} over HTTPS (TLS 1.2/1.3, h2 and http/1.1).
using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;

var port = int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture);
var certificate = X509Certificate2.CreateFromPemFile(args[1], args[2]);
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    kestrel.Listen(IPAddress.Loopback, port, listen =>
    {
        listen.Protocols = HttpProtocols.Http1AndHttp2;
        listen.UseHttps(https =>
        {
            https.ServerCertificate = certificate;
            https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
        });
    });
});
var app = builder.Build();
var body = """{"message":"hello"}"""u8.ToArray();
app.Run(async http =>
{
    http.Response.StatusCode = 200;
    http.Response.ContentType = "application/json; charset=utf-8";
    http.Response.ContentLength = body.Length;
    await http.Response.Body.WriteAsync(body);
});
app.Run();
