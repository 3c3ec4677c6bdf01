using Edge.Sdk;

namespace Edge.Tests.Sdk;

/// <summary><c>req.BodyStream</c> on a request made for a handler's unit test: the buffered body, read-only.</summary>
public sealed class RequestBodyStreamTests
{
    [Fact]
    public async Task BodyStream_TestRequest_ReadsTheBodyReadOnly()
    {
        // Arrange
        var request = new Request("POST", "/upload", body: [1, 2, 3, 4]);

        // Act
        using var copy = new MemoryStream();
        await request.BodyStream.CopyToAsync(copy);

        // Assert
        copy.ToArray().ShouldBe(new byte[] { 1, 2, 3, 4 });
        request.BodyStream.CanWrite.ShouldBeFalse();
        request.BodyBytes.ShouldBe(new byte[] { 1, 2, 3, 4 });
    }

    [Fact]
    public void BodyStream_NoBody_EmptyStream()
    {
        // Arrange
        var request = new Request("GET", "/");

        // Act
        var read = request.BodyStream.Read(new byte[16]);

        // Assert
        read.ShouldBe(0);
    }
}
