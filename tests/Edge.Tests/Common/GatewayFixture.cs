namespace Edge.Tests.Common;

/// <summary>One gateway process shared by the tests of <see cref="GatewayCollection"/> (they use unique paths).</summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    public EdgeProcess Edge { get; private set; } = null!;

    public async Task InitializeAsync() => Edge = await EdgeProcess.StartAsync();

    public async Task DisposeAsync()
    {
        if (Edge is not null)
        {
            await Edge.DisposeAsync();
        }
    }
}
