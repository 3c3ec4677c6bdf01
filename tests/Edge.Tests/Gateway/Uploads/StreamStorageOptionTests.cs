using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Uploads;

/// <summary><c>--stream-storage</c> and <c>--stream-max-bytes</c>: bad values and unusable folders stop edge with one line.</summary>
public sealed class StreamStorageOptionTests
{
    private static readonly TimeSpan ExitWithin = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData("--stream-storage", "disk:/tmp/x", "folder:<path> or s3:<service name>")]
    [InlineData("--stream-storage", "s3:", "folder:<path> or s3:<service name>")]
    [InlineData("--stream-storage", "folder:", "folder:<path> or s3:<service name>")]
    [InlineData("--stream-max-bytes", "-5", "--stream-max-bytes must be a positive number")]
    [InlineData("--stream-max-bytes", "10GB", "--stream-max-bytes must be a positive number")]
    public async Task Run_BadStreamOption_ExitsNonZeroWithOneLine(string flag, string value, string expected)
    {
        // Arrange
        using var data = new TempDir();

        // Act
        var result = await EdgeProcess.RunToExitAsync(
            ["--data", data.Path, "--port", FreePort.Next().ToString(), "--admin-port", FreePort.Next().ToString(), flag, value], ExitWithin);

        // Assert
        result.ExitCode.ShouldNotBe(0, result.ToString());
        result.StdErrLines.Count.ShouldBe(1, result.ToString());
        result.StdErrLines[0].ShouldContain(expected);
    }

    [Fact]
    public async Task Run_StorageFolderUnderAFile_ExitsNonZeroNamingIt()
    {
        // Arrange: the folder would have to be made inside a regular file.
        using var data = new TempDir();
        var file = Path.Combine(data.Path, "plain.txt");
        await File.WriteAllTextAsync(file, "x");

        // Act
        var result = await EdgeProcess.RunToExitAsync(
            ["--data", Path.Combine(data.Path, "d"), "--port", FreePort.Next().ToString(), "--admin-port", FreePort.Next().ToString(),
             "--stream-storage", "folder:" + Path.Combine(file, "files")], ExitWithin);

        // Assert
        result.ExitCode.ShouldNotBe(0, result.ToString());
        result.StdErrLines.Count.ShouldBe(1, result.ToString());
        result.StdErrLines[0].ShouldContain("--stream-storage folder");
        result.StdErrLines[0].ShouldContain("is not usable");
    }

    [Fact]
    public async Task Run_StreamStorageFromEnvironment_RoutesServeFromThatFolder()
    {
        // Arrange
        using var data = new TempDir();
        var folder = Path.Combine(data.Path, "env-files");
        await using var edge = await EdgeProcess.StartAsync(new EdgeProcessOptions
        {
            Environment = new Dictionary<string, string> { ["EDGE_STREAM_STORAGE"] = "folder:" + folder, ["EDGE_STREAM_MAX_BYTES"] = "10", ["EDGE_STREAM_AUTH"] = "none" },
        });

        // Act
        using var small = await edge.Gateway.PostAsync("/stream/upload/a.txt", new StringContent("0123456789"));
        using var big = await edge.Gateway.PostAsync("/stream/upload/b.txt", new StringContent("0123456789A"));

        // Assert
        small.StatusCode.ShouldBe(System.Net.HttpStatusCode.Created);
        big.StatusCode.ShouldBe(System.Net.HttpStatusCode.RequestEntityTooLarge);
        Directory.GetFiles(folder).Length.ShouldBe(2);
    }
}
