using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Policies;

/// <summary>One gateway behind a trusted proxy (loopback) shared by the policy tests; each test uses its own endpoints.</summary>
public sealed class PolicyGatewayFixture : IAsyncLifetime
{
    public EdgeProcess Edge { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Edge = await EdgeProcess.StartAsync(new EdgeProcessOptions { ExtraArgs = ["--trusted-proxies", "127.0.0.1"] });

    public async Task DisposeAsync()
    {
        if (Edge is not null)
        {
            await Edge.DisposeAsync();
        }
    }
}
