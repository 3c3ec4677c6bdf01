using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Uploads;

/// <summary>A gateway whose <c>/stream</c> routes keep files in a fresh folder, with a 16 MiB upload limit.</summary>
public sealed class StreamFolderFixture : IAsyncLifetime
{
    public const long MaxBytes = 16 * 1024 * 1024;

    public string Folder { get; } = Path.Combine(Directory.CreateTempSubdirectory("edge-stream-").FullName, "files");

    public EdgeProcess Edge { get; private set; } = null!;

    public async Task InitializeAsync() => Edge = await EdgeProcess.StartAsync(new EdgeProcessOptions
    {
        ExtraArgs = ["--stream-auth", "none", "--stream-storage", "folder:" + Folder, "--stream-max-bytes", MaxBytes.ToString(System.Globalization.CultureInfo.InvariantCulture)],
    });

    public async Task DisposeAsync()
    {
        if (Edge is not null)
        {
            await Edge.DisposeAsync();
        }

        Directory.Delete(Path.GetDirectoryName(Folder)!, recursive: true);
    }
}
