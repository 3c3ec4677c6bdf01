using System.Net;
using System.Net.Http.Headers;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Uploads;

/// <summary>By default the <c>/stream</c> routes need a traffic key whose scopes include <c>stream</c> (or <c>*</c>).</summary>
public sealed class StreamAuthTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Directory.CreateTempSubdirectory("edge-stream-auth-").FullName, "files");
    private EdgeProcess _edge = null!;

    public async Task InitializeAsync() =>
        _edge = await EdgeProcess.StartAsync(new EdgeProcessOptions { ExtraArgs = ["--stream-storage", "folder:" + _folder] });

    public async Task DisposeAsync()
    {
        await _edge.DisposeAsync();
        Directory.Delete(Path.GetDirectoryName(_folder)!, recursive: true);
    }

    [Fact]
    public async Task StreamRoutes_Default_NeedAKeyWithTheStreamScope()
    {
        // Arrange
        var streamKey = (await _edge.Admin.PostApiAsync("/api/keys", new { name = "uploader", scopes = new[] { "stream" } })).ShouldSucceed().Data.Str("key");
        var otherKey = (await _edge.Admin.PostApiAsync("/api/keys", new { name = "other", scopes = new[] { "endpoint:x" } })).ShouldSucceed().Data.Str("key");

        // Act
        using var anonymous = await UploadAsync(null);
        using var wrongScope = await UploadAsync(otherKey);
        using var allowed = await UploadAsync(streamKey);
        var id = (await allowed.Content.ReadAsStringAsync()).Split('"')[3];
        using var download = new HttpRequestMessage(HttpMethod.Get, "/stream/download/" + id);
        download.Headers.Authorization = new AuthenticationHeaderValue("Bearer", streamKey);
        using var downloaded = await _edge.Gateway.SendAsync(download);
        using var anonymousDownload = await _edge.Gateway.GetAsync("/stream/download/" + id);

        // Assert
        (await anonymous.ShouldBeGatewayErrorAsync(HttpStatusCode.Unauthorized)).Str("error").ShouldContain("need an API key");
        (await wrongScope.ShouldBeGatewayErrorAsync(HttpStatusCode.Forbidden)).Str("error").ShouldContain("scope 'stream'");
        allowed.StatusCode.ShouldBe(HttpStatusCode.Created);
        (await downloaded.Content.ReadAsStringAsync()).ShouldBe("secret report");
        anonymousDownload.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        Directory.GetFiles(_folder, "*", SearchOption.AllDirectories).Length.ShouldBe(2); // one file, one metadata sidecar
    }

    private async Task<HttpResponseMessage> UploadAsync(string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/stream/upload/report.txt") { Content = new StringContent("secret report") };
        if (key is not null)
        {
            request.Headers.Add("X-API-Key", key);
        }

        return await _edge.Gateway.SendAsync(request);
    }
}
