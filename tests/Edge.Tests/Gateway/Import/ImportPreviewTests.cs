using System.Net;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Import;

/// <summary>Import previews (<c>?dry_run=true</c>): what would be created, updated or left alone, and compile diagnostics.</summary>
[Collection(GatewayCollection.Name)]
public sealed class ImportPreviewTests(GatewayFixture fixture)
{
    private const string Spec = """
        openapi: 3.1.0
        info: { title: Pets, version: "1.0" }
        paths:
          /pets:
            get:
              operationId: listPets
              responses: { '200': { description: ok, content: { application/json: { example: [] } } } }
          /pets/{petId}:
            get:
              operationId: getPetById
              parameters: [{ name: petId, in: path, required: true, schema: { type: integer } }]
              responses: { '200': { description: ok } }
        """;

    private const string MoreSpec = Spec + """

          /owners:
            get:
              operationId: listOwners
              responses: { '200': { description: ok } }
        """;

    private readonly HttpClient _admin = fixture.Edge.Admin;

    [Fact]
    public async Task OpenApiDryRunQuery_ListsCreatesThenUnchangedAndNewOnes_WritesNothing()
    {
        // Arrange
        var host = Unique.Host();

        // Act
        var first = (await PreviewAsync(Spec, host)).ShouldSucceed().Data;
        var nothingWritten = (await _admin.GetApiAsync($"/api/endpoints?domain={host}")).ShouldSucceed().Items;
        (await _admin.ImportSpecAsync(Spec, host)).ShouldSucceed();
        var again = (await PreviewAsync(MoreSpec, host)).ShouldSucceed().Data;

        // Assert
        first.Bool("dry_run").ShouldBeTrue();
        var items = first.GetProperty("items").EnumerateArray().ToList();
        items.Select(i => (i.Str("kind"), i.Str("method"), i.Str("path"), i.Str("action"))).ShouldBe(
            [("endpoint", "GET", "/pets", "create"), ("endpoint", "GET", "/pets/{petId}", "create")], ignoreOrder: true);
        items.ShouldAllBe(i => i.Str("name").Length > 0);
        nothingWritten.ShouldBeEmpty();
        again.GetProperty("items").EnumerateArray().Select(i => (i.Str("path"), i.Str("action"))).ShouldBe(
            [("/pets", "unchanged"), ("/pets/{petId}", "unchanged"), ("/owners", "create")], ignoreOrder: true);
        (await _admin.GetApiAsync($"/api/endpoints?domain={host}")).ShouldSucceed().Items.Count.ShouldBe(2);
    }

    [Fact]
    public async Task OpenApiDryRun_NewCollection_ListedAsCreate()
    {
        // Arrange
        var domainId = (await _admin.CreateDomainAsync(Unique.Name("d"), Unique.Host())).ShouldSucceed().Id;

        // Act
        var preview = (await _admin.ImportSpecAsync(Spec, null, new { domain_id = domainId, create_collection = true, dry_run = true })).ShouldSucceed().Data;

        // Assert
        var collection = preview.GetProperty("items").EnumerateArray().Single(i => i.Str("kind") == "collection");
        collection.Str("action").ShouldBe("create");
        collection.Str("name").ShouldBe("Pets");
        (await _admin.GetApiAsync($"/api/domains/{domainId}/collections")).ShouldSucceed().Items.ShouldBeEmpty();
    }

    [Fact]
    public async Task BundleDryRun_HandlerThatDoesNotCompile_422WithDiagnosticsAndNothingWritten()
    {
        // Arrange
        var host = Unique.Host();
        var zip = ImportApi.Zip(("openapi.yaml", Spec), ("getPetById.cs", "Response Handle(Context ctx, Request req)\n{\n    return nope;\n}"));

        // Act
        var response = await _admin.ImportBundleAsync(zip, $"domain={host}&compile=true&dry_run=true");

        // Assert
        response.ShouldFail(HttpStatusCode.UnprocessableEntity);
        var error = response.Data.GetProperty("errors").EnumerateArray().Single();
        error.Str("file").ShouldBe("getPetById.cs");
        var diagnostic = error.GetProperty("diagnostics").EnumerateArray().First();
        diagnostic.Num("line").ShouldBe(3);
        diagnostic.Num("column").ShouldBeGreaterThan(0);
        diagnostic.Str("severity").ShouldBe("error");
        diagnostic.Str("message").ShouldContain("nope");
        (await _admin.GetApiAsync($"/api/endpoints?domain={host}")).ShouldSucceed().Items.ShouldBeEmpty();
    }

    [Fact]
    public async Task DryRunQuery_NotABoolean_400()
    {
        // Act
        var answer = await PreviewAsync(Spec, Unique.Host(), "maybe");

        // Assert
        answer.ShouldFail(HttpStatusCode.BadRequest).Error!.ShouldContain("dry_run");
    }

    private Task<ApiResponse> PreviewAsync(string spec, string host, string flag = "true") =>
        _admin.PostApiAsync($"/api/import/openapi?dry_run={flag}", new { spec, domain = host });
}
