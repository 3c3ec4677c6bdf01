using System.Net;
using System.Net.Sockets;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Hosting;

/// <summary>Bad command lines and unusable ports/folders: non-zero exit and one clear line on stderr.</summary>
public sealed class CommandLineTests
{
    private static readonly TimeSpan ExitWithin = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Run_PortNotANumber_ExitsNonZeroWithOneLine()
    {
        // Arrange
        using var data = new TempDir();

        // Act
        var result = await EdgeProcess.RunToExitAsync(["--data", data.Path, "--port", "abc", "--admin-port", FreePort.Next().ToString()], ExitWithin);

        // Assert
        result.ExitCode.ShouldNotBe(0, result.ToString());
        result.StdErrLines.Count.ShouldBe(1, result.ToString());
        result.StdErrLines[0].ShouldContain("port", Case.Insensitive);
        result.StdErrLines[0].ShouldContain("abc");
    }

    [Theory]
    [InlineData("--port", "70000")]
    [InlineData("--admin-port", "-1")]
    public async Task Run_PortOutOfRange_ExitsNonZeroWithOneLine(string flag, string value)
    {
        // Arrange
        using var data = new TempDir();
        List<string> args = ["--data", data.Path, "--port", FreePort.Next().ToString(), "--admin-port", FreePort.Next().ToString(), flag, value];

        // Act
        var result = await EdgeProcess.RunToExitAsync(args, ExitWithin);

        // Assert
        result.ExitCode.ShouldNotBe(0, result.ToString());
        result.StdErrLines.Count.ShouldBe(1, result.ToString());
        result.StdErrLines[0].ShouldContain(value);
    }

    [Fact]
    public async Task Run_UnknownFlag_ExitsNonZeroWithOneLine()
    {
        // Arrange
        using var data = new TempDir();

        // Act
        var result = await EdgeProcess.RunToExitAsync(["--data", data.Path, "--frobnicate", "--port", FreePort.Next().ToString(), "--admin-port", FreePort.Next().ToString()], ExitWithin);

        // Assert
        result.ExitCode.ShouldNotBe(0, result.ToString());
        result.StdErrLines.Count.ShouldBe(1, result.ToString());
        result.StdErrLines[0].ShouldContain("frobnicate");
    }

    [Fact]
    public async Task Run_FlagWithoutValue_ExitsNonZeroWithOneLine()
    {
        // Arrange
        using var data = new TempDir();

        // Act
        var result = await EdgeProcess.RunToExitAsync(["--data", data.Path, "--admin-port", FreePort.Next().ToString(), "--port"], ExitWithin);

        // Assert
        result.ExitCode.ShouldNotBe(0, result.ToString());
        result.StdErrLines.Count.ShouldBe(1, result.ToString());
        result.StdErrLines[0].ShouldContain("port", Case.Insensitive);
    }

    [Fact]
    public async Task Run_GatewayPortInUse_ExitsNonZeroWithOneLineNamingPort()
    {
        // Arrange
        using var data = new TempDir();
        using var occupier = new TcpListener(IPAddress.Any, 0);
        occupier.Start();
        var port = ((IPEndPoint)occupier.LocalEndpoint).Port;

        // Act
        var result = await EdgeProcess.RunToExitAsync(["--data", data.Path, "--port", port.ToString(), "--admin-port", FreePort.Next().ToString()], ExitWithin);

        // Assert
        result.ExitCode.ShouldNotBe(0, result.ToString());
        result.StdErrLines.Count.ShouldBe(1, result.ToString());
        result.StdErrLines[0].ShouldContain(port.ToString());
    }

    [Fact]
    public async Task Run_AdminPortInUse_ExitsNonZeroWithOneLineNamingPort()
    {
        // Arrange
        using var data = new TempDir();
        using var occupier = new TcpListener(IPAddress.Loopback, 0);
        occupier.Start();
        var port = ((IPEndPoint)occupier.LocalEndpoint).Port;

        // Act
        var result = await EdgeProcess.RunToExitAsync(["--data", data.Path, "--port", FreePort.Next().ToString(), "--admin-port", port.ToString()], ExitWithin);

        // Assert
        result.ExitCode.ShouldNotBe(0, result.ToString());
        result.StdErrLines.Count.ShouldBe(1, result.ToString());
        result.StdErrLines[0].ShouldContain(port.ToString());
    }

    [Fact]
    public async Task Run_DataDirIsAFile_ExitsNonZeroWithOneLine()
    {
        // Arrange
        using var data = new TempDir();
        var file = Path.Combine(data.Path, "not-a-dir");
        await File.WriteAllTextAsync(file, "x");

        // Act
        var result = await EdgeProcess.RunToExitAsync(["--data", file, "--port", FreePort.Next().ToString(), "--admin-port", FreePort.Next().ToString()], ExitWithin);

        // Assert
        result.ExitCode.ShouldNotBe(0, result.ToString());
        result.StdErrLines.Count.ShouldBe(1, result.ToString());
        result.StdErrLines[0].ShouldContain("not-a-dir");
    }

    [Fact]
    public async Task Run_EnvPortNotANumber_ExitsNonZeroWithOneLine()
    {
        // Arrange
        using var data = new TempDir();
        var env = new Dictionary<string, string> { ["EDGE_PORT"] = "eighty", ["EDGE_ADMIN_PORT"] = FreePort.Next().ToString(), ["EDGE_DATA"] = data.Path };

        // Act
        var result = await EdgeProcess.RunToExitAsync([], ExitWithin, env);

        // Assert
        result.ExitCode.ShouldNotBe(0, result.ToString());
        result.StdErrLines.Count.ShouldBe(1, result.ToString());
        result.StdErrLines[0].ShouldContain("eighty");
    }

    [Fact]
    public async Task Run_ServeVerb_StartsLikeNoVerb()
    {
        // Act
        await using var edge = await EdgeProcess.StartAsync(new EdgeProcessOptions { LeadingArgs = ["serve"] });

        // Assert
        (await edge.Admin.GetApiAsync("/api/health")).ShouldSucceed();
    }

    [Fact]
    public async Task Run_EnvironmentVariablesInsteadOfFlags_UsesThem()
    {
        // Act
        await using var edge = await EdgeProcess.StartAsync(new EdgeProcessOptions { UseEnvironment = true });

        // Assert
        (await edge.Admin.GetApiAsync("/api/stats")).ShouldSucceed();
        File.Exists(Path.Combine(edge.DataDir, "edge.db")).ShouldBeTrue("EDGE_DATA is the data folder");
    }

    [Fact]
    public async Task Run_Default_AdminListensOnLoopbackOnly()
    {
        // Arrange
        await using var edge = await EdgeProcess.StartAsync();
        var other = System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        other.ShouldNotBeNull("this machine needs a non-loopback IPv4 address for this check");

        // Act
        using var client = new TcpClient();
        var connect = async () => await client.ConnectAsync(other, edge.AdminPort);

        // Assert
        await connect.ShouldThrowAsync<SocketException>("the admin port binds 127.0.0.1 by default");
    }
}
