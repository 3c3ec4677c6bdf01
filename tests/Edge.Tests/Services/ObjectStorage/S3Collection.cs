namespace Edge.Tests.Services.ObjectStorage;

/// <summary>The S3 connector tests: one gateway for all of them, and never beside another test (one of them kills the store).</summary>
[CollectionDefinition(Name)]
public sealed class S3Collection : ICollectionFixture<S3Fixture>
{
    public const string Name = "s3 store";
}
