using System.Net;
using Edge.Tests.Common;

namespace Edge.Tests.Services.Ftp;

/// <summary>The file transfer connectors under their bounds: call timeouts (child processes killed), many calls at once, active FTP.</summary>
[Collection(GatewayCollection.Name)]
public sealed class FileTransferLimitsTests(GatewayFixture fixture) : IDisposable
{
    private readonly EdgeProcess _edge = fixture.Edge;
    private readonly List<FileServer> _servers = [];

    [Theory]
    [InlineData("ftps")]
    [InlineData("sftp-password")]
    public async Task CallTimeout_504ThenNoChildProcessLeft(string variant)
    {
        // Arrange: a timeout shorter than a login (and, for sftp, than the host key scan)
        var server = Track(FileServer.Create(variant));
        var name = Unique.Name("timeout");
        var id = await _edge.Admin.CreateServiceAsync(server.Body(name, new Dictionary<string, object?> { ["call_timeout_ms"] = 30 }));
        var files = await FileTransferEndpoint.DeployAsync(_edge, name);

        // Act
        var (status, body) = await files.CallAsync("put", "slow.txt", new byte[1000]);

        // Assert: 504 naming the service, and no sftp/ssh/ssh-keyscan child still working in its state folder
        status.ShouldBe(HttpStatusCode.GatewayTimeout, body);
        body.ShouldContain(name);
        var stateRoot = Path.Combine(_edge.DataDir, "services", id);
        var gone = await Eventually.HoldsAsync(() => Task.FromResult(ChildrenIn(stateRoot).Count == 0), TimeSpan.FromSeconds(5));
        gone.ShouldBeTrue(string.Join("; ", ChildrenIn(stateRoot)));
    }

    [Theory]
    [InlineData("sftp-key")]
    [InlineData("sftp-password")]
    [InlineData("ftp")]
    public async Task ManyCallsAtOnce_AllSucceed(string variant)
    {
        // Arrange: more calls than the shared SSH connection takes sessions (8) and than sshd allows (10)
        var server = Track(FileServer.Create(variant));
        var name = Unique.Name("many");
        await _edge.Admin.CreateServiceAsync(server.Body(name, new Dictionary<string, object?> { ["max_in_flight"] = 24, ["call_timeout_ms"] = 30_000 }));
        var files = await FileTransferEndpoint.DeployAsync(_edge, name);
        await files.PutAsync("seed.txt", [0]);

        // Act
        var calls = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => files.CallAsync("put", $"f{i:00}.txt", [(byte)i])));

        // Assert
        calls.ShouldAllBe(c => c.Status == HttpStatusCode.OK);
        for (var i = 0; i < 24; i++)
        {
            File.ReadAllBytes(Path.Combine(server.Disk, $"f{i:00}.txt")).ShouldBe([(byte)i]);
        }

        (await files.ListAsync()).Length.ShouldBe(25);
    }

    [Fact]
    public async Task Ftp_ActiveMode_PutGetList()
    {
        // Arrange: passive false: the server connects back for each transfer
        var server = Track(FileServer.Create("ftp"));
        var name = Unique.Name("active");
        await _edge.Admin.CreateServiceAsync(server.Body(name, new Dictionary<string, object?> { ["passive"] = false }));
        var files = await FileTransferEndpoint.DeployAsync(_edge, name);

        // Act
        await files.PutAsync("active.txt", [1, 2]);

        // Assert
        File.ReadAllBytes(Path.Combine(server.Disk, "active.txt")).ShouldBe([1, 2]);
        (await files.GetAsync("active.txt")).ShouldBe([1, 2]);
        (await files.ListAsync()).ShouldBe(["active.txt"]);
    }

    [Fact]
    public async Task EdgeStopped_SharedSshConnectionClosedAndStateFilesRemoved()
    {
        // Arrange: an sftp service with a private key copy and an open shared connection, in an edge of its own
        await using var edge = await EdgeProcess.StartAsync();
        var server = Track(FileServer.Create("sftp-key"));
        var name = Unique.Name("stop");
        var key = File.ReadAllText(TestServices.Get("SFTP_PRIVATE_KEY"));
        var id = await edge.Admin.CreateServiceAsync(server.Body(name, new Dictionary<string, object?> { ["private_key_path"] = null, ["private_key"] = key }));
        var files = await FileTransferEndpoint.DeployAsync(edge, name);
        await files.PutAsync("x.txt", [1]);
        var stateRoot = Path.Combine(edge.DataDir, "services", id);
        Masters(stateRoot).Count.ShouldBe(1);

        // Act: a graceful stop (SIGTERM)
        await edge.StopAsync();

        // Assert: ssh's master exited at once (not after ControlPersist) and the key copy is gone
        var closed = await Eventually.HoldsAsync(() => Task.FromResult(Masters(stateRoot).Count == 0), TimeSpan.FromSeconds(5));
        closed.ShouldBeTrue(string.Join("; ", Masters(stateRoot)));
        Directory.GetFileSystemEntries(stateRoot, "*", SearchOption.AllDirectories).ShouldBeEmpty();
    }

    public void Dispose()
    {
        foreach (var server in _servers)
        {
            server.Delete();
        }
    }

    /// <summary>Processes (other than ssh's shared-connection master) whose working folder is in the service's state folder.</summary>
    private static List<string> ChildrenIn(string stateRoot) => ProcessesIn(stateRoot, masters: false);

    /// <summary>ssh's shared-connection masters whose working folder is in the service's state folder.</summary>
    private static List<string> Masters(string stateRoot) => ProcessesIn(stateRoot, masters: true);

    private static List<string> ProcessesIn(string stateRoot, bool masters)
    {
        var found = new List<string>();
        foreach (var proc in Directory.EnumerateDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)))
        {
            try
            {
                var cwd = new FileInfo(Path.Combine(proc, "cwd")).LinkTarget;
                var command = File.ReadAllText(Path.Combine(proc, "cmdline")).Replace('\0', ' ').Trim();
                if (cwd is not null && cwd.StartsWith(stateRoot, StringComparison.Ordinal) && command.Contains("[mux]", StringComparison.Ordinal) == masters)
                {
                    found.Add($"{Path.GetFileName(proc)}: {command}");
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Exited meanwhile.
            }
        }

        return found;
    }

    private FileServer Track(FileServer server)
    {
        _servers.Add(server);
        return server;
    }
}
