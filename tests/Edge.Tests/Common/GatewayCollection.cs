namespace Edge.Tests.Common;

/// <summary>Tests that can share one running gateway.</summary>
[CollectionDefinition(Name)]
public sealed class GatewayCollection : ICollectionFixture<GatewayFixture>
{
    public const string Name = "shared gateway";
}
