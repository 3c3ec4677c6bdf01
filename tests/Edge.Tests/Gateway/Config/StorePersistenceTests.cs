using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Config;

/// <summary>The SQLite store in <c>data/edge.db</c> keeps the configuration across restarts.</summary>
public sealed class StorePersistenceTests
{
    [Fact]
    public async Task Restart_DomainsCollectionsEndpoints_AllKept()
    {
        // Arrange
        await using var edge = await EdgeProcess.StartAsync();
        var host = Unique.Host();
        var domain = (await edge.Admin.CreateDomainAsync(Unique.Name("dom"), host, "kept")).ShouldSucceed();
        var collection = (await edge.Admin.CreateCollectionAsync(domain.Id, Unique.Name("col"), "/v1")).ShouldSucceed();
        var endpoint = (await edge.Admin.CreateEndpointAsync(new EndpointSpec
        {
            Path = Unique.Path("kept"),
            Domain = host,
            CollectionId = collection.Id,
            Code = "Response Handle(Context ctx, Request req) => Response.Ok(new { a = 1 });",
            TimeoutMs = 1234,
            MaxBodyBytes = 4321,
        })).ShouldSucceed();
        (await edge.Admin.UpdateEndpointAsync(endpoint.Id, new { code = "Response Handle(Context ctx, Request req) => Response.Ok(new { a = 2 });" })).ShouldSucceed();

        // Act
        await edge.RestartAsync();

        // Assert
        var d = (await edge.Admin.GetApiAsync($"/api/domains/{domain.Id}")).ShouldSucceed().Data;
        d.Str("host").ShouldBe(host);
        d.Str("description").ShouldBe("kept");
        var c = (await edge.Admin.GetApiAsync($"/api/collections/{collection.Id}")).ShouldSucceed().Data;
        c.Str("domain_id").ShouldBe(domain.Id);
        c.Str("base_path").ShouldBe("/v1");
        var e = (await edge.Admin.GetEndpointAsync(endpoint.Id)).ShouldSucceed().Data;
        e.Str("domain").ShouldBe(host);
        e.Str("collection_id").ShouldBe(collection.Id);
        e.Num("timeout_ms").ShouldBe(1234);
        e.Num("max_body_bytes").ShouldBe(4321);
        e.Str("code").ShouldContain("a = 2");
        e.Num("revision").ShouldBe(endpoint.Data.Num("revision") + 1);
    }

    [Fact]
    public async Task Start_FreshDataDir_CreatesDatabaseFile()
    {
        // Act
        await using var edge = await EdgeProcess.StartAsync();

        // Assert
        File.Exists(Path.Combine(edge.DataDir, "edge.db")).ShouldBeTrue($"no edge.db in {edge.DataDir}");
    }
}
