using System.Net;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Uploads;

/// <summary>Without <c>--stream-storage</c> the <c>/stream</c> routes do not exist, and a handler may own those paths.</summary>
[Collection(GatewayCollection.Name)]
public sealed class StreamRoutesOffTests(GatewayFixture fixture)
{
    [Fact]
    public async Task StreamRoutes_NotConfigured_404LikeAnyUnknownRoute()
    {
        // Act
        using var upload = await fixture.Edge.Gateway.PostAsync("/stream/upload/x.bin", new StringContent("x"));
        using var download = await fixture.Edge.Gateway.GetAsync("/stream/download/" + new string('a', 32));
        using var metadata = await fixture.Edge.Gateway.GetAsync("/stream/metadata/" + new string('a', 32));

        // Assert
        upload.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await upload.Content.ReadAsStringAsync()).ShouldContain("no route for POST /stream/upload/x.bin");
        download.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        metadata.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
