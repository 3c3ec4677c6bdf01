using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Uploads;

/// <summary>A gateway whose <c>/stream</c> routes keep files in the real S3 store, through a <c>minio</c> service.</summary>
public sealed class StreamS3Fixture : IAsyncLifetime
{
    public string Service { get; } = Unique.Name("streams3");

    public EdgeProcess Edge { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Edge = await EdgeProcess.StartAsync(new EdgeProcessOptions { ExtraArgs = ["--stream-auth", "none", "--stream-storage", "s3:" + Service] });
        await Edge.Admin.CreateServiceAsync(TestServices.S3(Service));
    }

    public async Task DisposeAsync()
    {
        if (Edge is not null)
        {
            await Edge.DisposeAsync();
        }
    }
}
