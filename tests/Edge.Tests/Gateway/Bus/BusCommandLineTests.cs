using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Bus;

/// <summary><c>--bus</c> / <c>EDGE_BUS</c> on the command line.</summary>
public sealed class BusCommandLineTests
{
    [Theory]
    [InlineData("kafka:events")]
    [InlineData("redis:")]
    public async Task Run_BadBusBackend_ExitsNonZeroWithOneLine(string backend)
    {
        // Arrange
        using var data = new TempDir();

        // Act
        var result = await EdgeProcess.RunToExitAsync(
            ["--data", data.Path, "--port", FreePort.Next().ToString(), "--admin-port", FreePort.Next().ToString(), "--bus", backend], TimeSpan.FromSeconds(20));

        // Assert
        result.ExitCode.ShouldNotBe(0, result.ToString());
        result.StdErrLines.Count.ShouldBe(1, result.ToString());
        result.StdErrLines[0].ShouldContain($"--bus must be 'local' or 'redis:<service name>', got '{backend}'");
    }

    [Fact]
    public async Task Run_HelpText_ListsTheBusOption()
    {
        // Act
        var result = await EdgeProcess.RunToExitAsync(["--help"], TimeSpan.FromSeconds(20));

        // Assert
        result.ExitCode.ShouldBe(0, result.ToString());
        result.StdOut.ShouldContain("--bus BACKEND");
        result.StdOut.ShouldContain("EDGE_BUS");
    }
}
