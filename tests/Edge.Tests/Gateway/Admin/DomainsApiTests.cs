using System.Net;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Admin;

[Collection(GatewayCollection.Name)]
public sealed class DomainsApiTests(GatewayFixture fixture)
{
    private const string MissingId = "00000000-0000-0000-0000-000000000000";
    private readonly HttpClient _admin = fixture.Edge.Admin;

    [Fact]
    public async Task Create_ValidDomain_ReturnsItWithIdAndTimestamps()
    {
        // Arrange
        var name = Unique.Name("dom");
        var host = Unique.Host();

        // Act
        var created = await _admin.CreateDomainAsync(name, host, "a description");

        // Assert
        created.ShouldSucceed();
        var d = created.Data;
        Guid.TryParse(d.Str("id"), out _).ShouldBeTrue($"id is not a UUID string: {created}");
        d.Str("name").ShouldBe(name);
        d.Str("host").ShouldBe(host);
        d.Str("description").ShouldBe("a description");
        d.Bool("enabled").ShouldBeTrue();
        d.Str("created_at").ShouldNotBeNullOrWhiteSpace();
        d.Str("updated_at").ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task Get_CreatedDomain_ReturnsSameFields()
    {
        // Arrange
        var created = (await _admin.CreateDomainAsync(Unique.Name("dom"), Unique.Host())).ShouldSucceed();

        // Act
        var fetched = await _admin.GetApiAsync($"/api/domains/{created.Id}");

        // Assert
        fetched.ShouldSucceed();
        fetched.Data.Str("name").ShouldBe(created.Data.Str("name"));
        fetched.Data.Str("host").ShouldBe(created.Data.Str("host"));
    }

    [Fact]
    public async Task List_AfterCreate_ContainsDomain()
    {
        // Arrange
        var created = (await _admin.CreateDomainAsync(Unique.Name("dom"), Unique.Host())).ShouldSucceed();

        // Act
        var list = await _admin.GetApiAsync("/api/domains");

        // Assert
        list.Ids().ShouldContain(created.Id);
    }

    [Fact]
    public async Task Update_Name_ChangesOnlyName()
    {
        // Arrange
        var host = Unique.Host();
        var created = (await _admin.CreateDomainAsync(Unique.Name("dom"), host)).ShouldSucceed();
        var newName = Unique.Name("renamed");

        // Act
        var updated = await _admin.PutApiAsync($"/api/domains/{created.Id}", new { name = newName });

        // Assert
        updated.ShouldSucceed();
        var fetched = (await _admin.GetApiAsync($"/api/domains/{created.Id}")).ShouldSucceed();
        fetched.Data.Str("name").ShouldBe(newName);
        fetched.Data.Str("host").ShouldBe(host);
    }

    [Fact]
    public async Task Delete_ExistingDomain_ThenGetReturns404()
    {
        // Arrange
        var created = (await _admin.CreateDomainAsync(Unique.Name("dom"), Unique.Host())).ShouldSucceed();

        // Act
        var deleted = await _admin.DeleteApiAsync($"/api/domains/{created.Id}");

        // Assert
        ((int)deleted.Status).ShouldBeInRange(200, 299, deleted.ToString());
        (await _admin.GetApiAsync($"/api/domains/{created.Id}")).ShouldFail(HttpStatusCode.NotFound);
        (await _admin.GetApiAsync("/api/domains")).Ids().ShouldNotContain(created.Id);
    }

    [Fact]
    public async Task Create_DuplicateHost_Returns409AndKeepsOne()
    {
        // Arrange
        var host = Unique.Host();
        (await _admin.CreateDomainAsync(Unique.Name("dom"), host)).ShouldSucceed();

        // Act
        var second = await _admin.CreateDomainAsync(Unique.Name("dom"), host);

        // Assert
        second.ShouldFail(HttpStatusCode.Conflict);
        var list = (await _admin.GetApiAsync("/api/domains")).ShouldSucceed();
        list.Items.Count(d => d.Str("host") == host).ShouldBe(1);
    }

    [Fact]
    public async Task Create_MissingNameAndHost_Returns400NamingBoth()
    {
        // Arrange
        var before = (await _admin.GetApiAsync("/api/domains")).Ids();

        // Act
        var response = await _admin.PostApiAsync("/api/domains", new { description = "no name, no host" });

        // Assert
        response.ShouldFail(HttpStatusCode.BadRequest).ShouldNameFields("name", "host");
        (await _admin.GetApiAsync("/api/domains")).Ids().ShouldBe(before);
    }

    [Fact]
    public async Task Create_WrongTypes_Returns400NamingEveryField()
    {
        // Arrange
        var before = (await _admin.GetApiAsync("/api/domains")).Ids();

        // Act
        var response = await _admin.SendRawAsync(HttpMethod.Post, "/api/domains", """{"name": 12, "host": true, "enabled": "yes"}""");

        // Assert
        response.ShouldFail(HttpStatusCode.BadRequest).ShouldNameFields("name", "host", "enabled");
        (await _admin.GetApiAsync("/api/domains")).Ids().ShouldBe(before);
    }

    [Fact]
    public async Task Create_MalformedJson_Returns400AndStoresNothing()
    {
        // Arrange
        var before = (await _admin.GetApiAsync("/api/domains")).Ids();

        // Act
        var response = await _admin.SendRawAsync(HttpMethod.Post, "/api/domains", """{"name": "x", "host": """);

        // Assert
        response.ShouldFail(HttpStatusCode.BadRequest);
        (await _admin.GetApiAsync("/api/domains")).Ids().ShouldBe(before);
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public async Task UnknownId_Returns404(string method)
    {
        // Act
        var response = method == "PUT"
            ? await _admin.PutApiAsync($"/api/domains/{MissingId}", new { name = "x" })
            : await _admin.SendApiAsync(new HttpMethod(method), $"/api/domains/{MissingId}", null);

        // Assert
        response.ShouldFail(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Collections_OfDomain_ListsOnlyItsCollections()
    {
        // Arrange
        var d1 = (await _admin.CreateDomainAsync(Unique.Name("dom"), Unique.Host())).ShouldSucceed().Id;
        var d2 = (await _admin.CreateDomainAsync(Unique.Name("dom"), Unique.Host())).ShouldSucceed().Id;
        var c1 = (await _admin.CreateCollectionAsync(d1, Unique.Name("col"))).ShouldSucceed().Id;
        var c2 = (await _admin.CreateCollectionAsync(d1, Unique.Name("col"))).ShouldSucceed().Id;
        (await _admin.CreateCollectionAsync(d2, Unique.Name("col"))).ShouldSucceed();

        // Act
        var list = await _admin.GetApiAsync($"/api/domains/{d1}/collections");

        // Assert
        list.Ids().ShouldBe(new[] { c1, c2 }.Order(StringComparer.Ordinal).ToList());
    }

    [Fact]
    public async Task Collections_OfUnknownDomain_Returns404()
    {
        // Act
        var response = await _admin.GetApiAsync($"/api/domains/{MissingId}/collections");

        // Assert
        response.ShouldFail(HttpStatusCode.NotFound);
    }
}
