namespace Edge.Tests.Browser;

/// <summary>The admin page tests: one gateway and one browser, tests in sequence (one page at a time).</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "admin page browser";
}
