using System.Net;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Admin;

[Collection(GatewayCollection.Name)]
public sealed class CollectionsApiTests(GatewayFixture fixture)
{
    private const string MissingId = "00000000-0000-0000-0000-000000000000";
    private readonly HttpClient _admin = fixture.Edge.Admin;

    [Fact]
    public async Task Create_ValidCollection_ReturnsAllFields()
    {
        // Arrange
        var domainId = (await _admin.CreateDomainAsync(Unique.Name("dom"), Unique.Host())).ShouldSucceed().Id;
        var name = Unique.Name("col");

        // Act
        var created = await _admin.PostApiAsync("/api/collections", new { domain_id = domainId, name, description = "d", base_path = "/v1" });

        // Assert
        created.ShouldSucceed();
        var c = created.Data;
        Guid.TryParse(c.Str("id"), out _).ShouldBeTrue(created.ToString());
        c.Str("domain_id").ShouldBe(domainId);
        c.Str("name").ShouldBe(name);
        c.Str("description").ShouldBe("d");
        c.Str("base_path").ShouldBe("/v1");
        c.Bool("enabled").ShouldBeTrue();
        c.Str("created_at").ShouldNotBeNullOrWhiteSpace();
        c.Str("updated_at").ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task Create_UnknownDomainId_Returns400NamingDomainId()
    {
        // Arrange
        var before = (await _admin.GetApiAsync("/api/collections")).Ids();

        // Act
        var response = await _admin.CreateCollectionAsync(MissingId, Unique.Name("col"));

        // Assert
        response.ShouldFail(HttpStatusCode.BadRequest).ShouldNameFields("domain_id");
        (await _admin.GetApiAsync("/api/collections")).Ids().ShouldBe(before);
    }

    [Fact]
    public async Task Create_MissingDomainIdAndName_Returns400NamingBoth()
    {
        // Act
        var response = await _admin.PostApiAsync("/api/collections", new { description = "nothing else" });

        // Assert
        response.ShouldFail(HttpStatusCode.BadRequest).ShouldNameFields("domain_id", "name");
    }

    [Fact]
    public async Task Create_MalformedJson_Returns400()
    {
        // Act
        var response = await _admin.SendRawAsync(HttpMethod.Post, "/api/collections", "{not json");

        // Assert
        response.ShouldFail(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task List_FilteredByDomainId_ReturnsOnlyThatDomain()
    {
        // Arrange
        var d1 = (await _admin.CreateDomainAsync(Unique.Name("dom"), Unique.Host())).ShouldSucceed().Id;
        var d2 = (await _admin.CreateDomainAsync(Unique.Name("dom"), Unique.Host())).ShouldSucceed().Id;
        var c1 = (await _admin.CreateCollectionAsync(d1, Unique.Name("col"))).ShouldSucceed().Id;
        var c2 = (await _admin.CreateCollectionAsync(d2, Unique.Name("col"))).ShouldSucceed().Id;

        // Act
        var list = await _admin.GetApiAsync($"/api/collections?domain_id={d1}");

        // Assert
        var ids = list.Ids();
        ids.ShouldContain(c1);
        ids.ShouldNotContain(c2);
        list.Items.ShouldAllBe(c => c.Str("domain_id") == d1);
        (await _admin.GetApiAsync("/api/collections")).Ids().ShouldContain(c2);
    }

    [Fact]
    public async Task Update_NameAndBasePath_Persist()
    {
        // Arrange
        var domainId = (await _admin.CreateDomainAsync(Unique.Name("dom"), Unique.Host())).ShouldSucceed().Id;
        var id = (await _admin.CreateCollectionAsync(domainId, Unique.Name("col"))).ShouldSucceed().Id;

        // Act
        var updated = await _admin.PutApiAsync($"/api/collections/{id}", new { name = "renamed", base_path = "/v2" });

        // Assert
        updated.ShouldSucceed();
        var fetched = (await _admin.GetApiAsync($"/api/collections/{id}")).ShouldSucceed();
        fetched.Data.Str("name").ShouldBe("renamed");
        fetched.Data.Str("base_path").ShouldBe("/v2");
        fetched.Data.Str("domain_id").ShouldBe(domainId);
    }

    [Fact]
    public async Task Delete_Collection_ThenGetReturns404()
    {
        // Arrange
        var domainId = (await _admin.CreateDomainAsync(Unique.Name("dom"), Unique.Host())).ShouldSucceed().Id;
        var id = (await _admin.CreateCollectionAsync(domainId, Unique.Name("col"))).ShouldSucceed().Id;

        // Act
        var deleted = await _admin.DeleteApiAsync($"/api/collections/{id}");

        // Assert
        ((int)deleted.Status).ShouldBeInRange(200, 299, deleted.ToString());
        (await _admin.GetApiAsync($"/api/collections/{id}")).ShouldFail(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("GET", "")]
    [InlineData("PUT", "")]
    [InlineData("DELETE", "")]
    [InlineData("GET", "/endpoints")]
    public async Task UnknownId_Returns404(string method, string suffix)
    {
        // Act
        var response = method == "PUT"
            ? await _admin.PutApiAsync($"/api/collections/{MissingId}{suffix}", new { name = "x" })
            : await _admin.SendApiAsync(new HttpMethod(method), $"/api/collections/{MissingId}{suffix}", null);

        // Assert
        response.ShouldFail(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Endpoints_OfCollection_ListsOnlyItsEndpoints()
    {
        // Arrange
        var domainId = (await _admin.CreateDomainAsync(Unique.Name("dom"), Unique.Host())).ShouldSucceed().Id;
        var col = (await _admin.CreateCollectionAsync(domainId, Unique.Name("col"))).ShouldSucceed().Id;
        var inside = (await _admin.CreateEndpointAsync(new EndpointSpec { Path = Unique.Path("a"), CollectionId = col })).ShouldSucceed().Id;
        var outside = (await _admin.CreateEndpointAsync(new EndpointSpec { Path = Unique.Path("b") })).ShouldSucceed().Id;

        // Act
        var list = await _admin.GetApiAsync($"/api/collections/{col}/endpoints");

        // Assert
        var ids = list.Ids();
        ids.ShouldBe([inside]);
        ids.ShouldNotContain(outside);
    }
}
