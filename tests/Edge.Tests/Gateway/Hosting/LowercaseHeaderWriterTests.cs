using System.IO.Pipelines;
using System.Text;
using Edge.Gateway.Hosting;

namespace Edge.Tests.Gateway.Hosting;

/// <summary>The writer that lower-cases HTTP/1.x response header names, fed the way Kestrel feeds it.</summary>
public sealed class LowercaseHeaderWriterTests
{
    [Fact]
    public async Task Advance_HeadSplitAcrossPieces_OnlyNamesAreLowerCased()
    {
        // Arrange
        var pipe = new Pipe();
        var writer = new LowercaseHeaderWriter(pipe.Writer);
        writer.Arm();
        var head = "HTTP/1.1 200 OK\r\nContent-Type: Text/HTML\r\nX-Custom-Thing: KeepMe\r\n\r\nBody-Name: Stays";

        // Act: one byte per piece, the worst split there is.
        foreach (var b in Encoding.ASCII.GetBytes(head))
        {
            writer.GetSpan(1)[0] = b;
            writer.Advance(1);
        }

        // Assert
        (await ReadAllAsync(pipe, writer)).ShouldBe("HTTP/1.1 200 OK\r\ncontent-type: Text/HTML\r\nx-custom-thing: KeepMe\r\n\r\nBody-Name: Stays");
        writer.Armed.ShouldBeFalse();
    }

    [Fact]
    public async Task Advance_InterimHeadThenFinal_BothHeadsScanned()
    {
        // Arrange
        var pipe = new Pipe();
        var writer = new LowercaseHeaderWriter(pipe.Writer);
        writer.Arm();

        // Act
        Write(writer, "HTTP/1.1 100 Continue\r\n\r\n");
        Write(writer, "HTTP/1.1 201 Created\r\nLocation: /A\r\n\r\nX-Not: Header");

        // Assert
        (await ReadAllAsync(pipe, writer)).ShouldBe("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nlocation: /A\r\n\r\nX-Not: Header");
    }

    [Fact]
    public async Task Advance_SwitchingProtocols_LaterBytesPassUntouched()
    {
        // Arrange
        var pipe = new Pipe();
        var writer = new LowercaseHeaderWriter(pipe.Writer);
        writer.Arm();

        // Act
        Write(writer, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
        Write(writer, "FRAME: ABC\r\n");

        // Assert
        (await ReadAllAsync(pipe, writer)).ShouldBe("HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n\r\nFRAME: ABC\r\n");
        writer.Armed.ShouldBeFalse();
    }

    [Fact]
    public async Task WriteAsync_NotArmed_PassesBytesThrough()
    {
        // Arrange
        var pipe = new Pipe();
        var writer = new LowercaseHeaderWriter(pipe.Writer);

        // Act
        await writer.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: x\r\n\r\n"));

        // Assert
        (await ReadAllAsync(pipe, writer)).ShouldBe("HTTP/1.1 200 OK\r\nContent-Type: x\r\n\r\n");
    }

    private static void Write(PipeWriter writer, string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        bytes.CopyTo(writer.GetSpan(bytes.Length));
        writer.Advance(bytes.Length);
    }

    private static async Task<string> ReadAllAsync(Pipe pipe, PipeWriter writer)
    {
        await writer.CompleteAsync();
        using var collected = new MemoryStream();
        await pipe.Reader.CopyToAsync(collected);
        return Encoding.ASCII.GetString(collected.ToArray());
    }
}
