namespace Edge.Tests.Gateway.Policies;

/// <summary>The policy tests: one gateway, run one class at a time (their timings and counts must not mix).</summary>
[CollectionDefinition(Name)]
public sealed class PolicyCollection : ICollectionFixture<PolicyGatewayFixture>
{
    public const string Name = "policy gateway";
}
