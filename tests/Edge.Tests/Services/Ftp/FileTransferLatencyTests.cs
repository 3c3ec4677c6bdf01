using System.Diagnostics;
using System.Text.Json.Nodes;
using Edge.Services;
using Edge.Services.Ftp;
using Edge.Tests.Common;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Edge.Tests.Services.Ftp;

/// <summary>
/// Per-operation latency of the connectors against the real servers (in this process, without the gateway), with
/// the figures written to the test output: sftp with and without the shared SSH connection, ftp and ftps.
/// </summary>
public sealed class FileTransferLatencyTests(ITestOutputHelper output) : IDisposable
{
    private const int Rounds = 15;
    private readonly TempDir _state = new();
    private readonly List<string> _folders = [];

    [Fact]
    public async Task Sftp_SharedConnection_OperationsMuchFasterThanAFullHandshakeEach()
    {
        // Arrange
        var folder = Unique.Name("lat");
        _folders.Add(Path.Combine(TestServices.Get("SFTP_HOME"), folder));
        Directory.CreateDirectory(_folders[^1]);
        var config = new JsonObject
        {
            ["host"] = TestServices.Get("SFTP_HOST"),
            ["port"] = TestServices.Port("SFTP_PORT"),
            ["username"] = TestServices.Get("SFTP_USER"),
            ["protocol"] = "sftp",
            ["host_key_fingerprint"] = TestServices.Get("SFTP_HOST_KEY_FINGERPRINT"),
            ["private_key_path"] = TestServices.Get("SFTP_PRIVATE_KEY"),
            ["base_path"] = folder,
        };
        await using var shared = new SftpService(Definition(config), Environment(), NullLogger.Instance);
        await using var separate = new SftpService(Definition(config), Environment(), NullLogger.Instance) { Multiplex = false };

        // Act
        var first = await TimeAsync(() => shared.ListAsync("", CancellationToken.None));
        var withMux = await MedianAsync(() => shared.ListAsync("", CancellationToken.None));
        var withMuxGet = await MedianAsync(() => shared.GetAsync("missing", CancellationToken.None));
        var withoutMux = await MedianAsync(() => separate.ListAsync("", CancellationToken.None));

        // Assert
        output.WriteLine($"sftp list: first (key scan + handshake) {first:0} ms; then median {withMux:0.0} ms shared connection, {withoutMux:0.0} ms without (get: {withMuxGet:0.0} ms shared)");
        withMux.ShouldBeLessThan(withoutMux / 2, "the shared connection must save the handshake");
    }

    [Theory]
    [InlineData("ftp")]
    [InlineData("ftps")]
    public async Task Ftp_EachOperationLogsInAgain_Measured(string protocol)
    {
        // Arrange
        var config = new JsonObject
        {
            ["host"] = TestServices.Get("FTP_HOST"),
            ["port"] = TestServices.Port("FTP_PORT"),
            ["username"] = TestServices.Get("FTP_USER"),
            ["password"] = TestServices.Get("FTP_PASSWORD"),
            ["protocol"] = protocol,
            ["ca_cert_path"] = TestServices.CaCert,
            ["base_path"] = "/" + Unique.Name("lat"),
        };
        _folders.Add(TestServices.Get("FTP_HOME") + config["base_path"]);
        await using var service = new FtpService(Definition(config), NullLogger.Instance);
        await service.PutAsync("f.txt", [1, 2, 3], CancellationToken.None);

        // Act
        var list = await MedianAsync(() => service.ListAsync("", CancellationToken.None));
        var get = await MedianAsync(() => service.GetAsync("f.txt", CancellationToken.None));
        var put = await MedianAsync(() => service.PutAsync("f.txt", [4, 5, 6], CancellationToken.None));

        // Assert
        output.WriteLine($"{protocol}: median list {list:0.0} ms, get {get:0.0} ms, put {put:0.0} ms (each a new connection and login)");
        (await service.GetAsync("f.txt", CancellationToken.None)).ShouldBe([4, 5, 6]);
    }

    public void Dispose()
    {
        _state.Dispose();
        foreach (var folder in _folders.Where(Directory.Exists))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static ServiceDefinition Definition(JsonObject config) =>
        new(Guid.NewGuid().ToString(), Unique.Name("latency"), "ftp", config);

    private ServiceEnvironment Environment() => new(_state.Path, NullLoggerFactory.Instance);

    private static async Task<double> TimeAsync(Func<Task> operation)
    {
        var clock = Stopwatch.StartNew();
        await operation();
        return clock.Elapsed.TotalMilliseconds;
    }

    private static async Task<double> MedianAsync(Func<Task> operation)
    {
        var times = new List<double>();
        for (var i = 0; i < Rounds; i++)
        {
            times.Add(await TimeAsync(operation));
        }

        times.Sort();
        return times[times.Count / 2];
    }
}
