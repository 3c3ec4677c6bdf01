using System.Net;
using System.Text.Json;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Import;

/// <summary>Export what one edge serves and import it into another, fresh one: the same endpoints and code come back.</summary>
public sealed class ExportRoundTripTests
{
    [Fact]
    public async Task ExportBundle_ImportedIntoAFreshDataFolder_YieldsTheSameEndpointsAndCode()
    {
        // Arrange: an imported spec, a hand-made endpoint beside it, and one imported endpoint edited by hand.
        await using var source = await EdgeProcess.StartAsync();
        var host = Unique.Host();
        (await source.Admin.ImportSpecAsync(ImportApi.Spec("petstore-expanded.yaml"), host, new { start = true })).ShouldSucceed();
        var handMade = (await source.Admin.CreateEndpointAsync(new EndpointSpec
        {
            Name = "hello world",
            Path = "/hello/{who}",
            Method = "GET",
            Domain = host,
            Code = "Response Handle(Context ctx, Request req) => Response.Text(200, \"hi \" + req.PathParam(\"who\"));",
        })).ShouldSucceed().Id;
        (await source.Admin.UpdateEndpointAsync(handMade, new { timeout_ms = 1234, description = "says hi", file_roots = new[] { "/tmp" }, stream_body = true })).ShouldSucceed();
        (await source.Admin.PostApiAsync($"/api/endpoints/{handMade}/deploy")).ShouldSucceed();
        var before = Endpoints(await source.Admin.GetApiAsync($"/api/endpoints?domain={host}"));

        // Act
        using var export = await source.Admin.GetAsync($"/api/export/bundle?domain={host}");
        var zip = await export.Content.ReadAsByteArrayAsync();
        await using var target = await EdgeProcess.StartAsync();
        var imported = await target.Admin.ImportBundleAsync(zip, $"domain={host}&start=true");

        // Assert
        export.StatusCode.ShouldBe(HttpStatusCode.OK);
        export.Content.Headers.ContentType!.MediaType.ShouldBe("application/zip");
        ImportApi.Unzip(zip).Keys.ShouldContain("openapi.json");
        imported.ShouldSucceed().Data.GetProperty("errors").GetArrayLength().ShouldBe(0, imported.ToString());
        var after = Endpoints(await target.Admin.GetApiAsync($"/api/endpoints?domain={host}"));
        after.ShouldBe(before);
        using var hello = await target.Gateway.SendWithHostAsync(HttpMethod.Get, "/hello/you", host);
        (await hello.Content.ReadAsStringAsync()).ShouldBe("hi you");
    }

    [Fact]
    public async Task ExportOpenApi_IsAnOpenApi31DocumentOfWhatIsServed()
    {
        // Arrange
        await using var edge = await EdgeProcess.StartAsync();
        var host = Unique.Host();
        var domainId = (await edge.Admin.CreateDomainAsync("pets", host)).ShouldSucceed().Id;
        var import = (await edge.Admin.ImportSpecAsync(ImportApi.Spec("petstore.yaml"), host, new { domain_id = domainId, create_collection = true })).ShouldSucceed();
        var collectionId = import.Data.GetProperty("collection").Str("id");

        // Act
        using var response = await edge.Admin.GetAsync($"/api/export/openapi?collection_id={collectionId}");
        var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var unknown = await edge.Admin.GetApiAsync("/api/export/openapi?collection_id=00000000-0000-0000-0000-000000000000");

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        document.Str("openapi").ShouldBe("3.1.0");
        document.GetProperty("servers")[0].Str("url").ShouldBe("/v1");
        var paths = document.GetProperty("paths");
        paths.GetProperty("/pets").GetProperty("get").Str("operationId").ShouldBe("listPets");
        paths.GetProperty("/pets/{petId}").GetProperty("get").GetProperty("parameters")[0].Str("name").ShouldBe("petId");
        document.GetProperty("components").GetProperty("schemas").TryGetProperty("Pet", out _).ShouldBeTrue();
        unknown.ShouldFail(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ImportCommand_AgainstARunningEdge_ImportsAndReports()
    {
        // Arrange
        await using var edge = await EdgeProcess.StartAsync();
        var host = Unique.Host();
        using var dir = new TempDir();
        var spec = Path.Combine(dir.Path, "petstore.yaml");
        await File.WriteAllTextAsync(spec, ImportApi.Spec("petstore.yaml"));
        var environment = new Dictionary<string, string> { ["EDGE_ADMIN_TOKEN"] = edge.Token! };

        // Act
        var result = await EdgeProcess.RunToExitAsync(
            ["import", spec, "--domain", host, "--start", "--admin-url", edge.AdminBase.ToString()], TimeSpan.FromMinutes(2), environment);
        var missing = await EdgeProcess.RunToExitAsync(["import", Path.Combine(dir.Path, "nope.yaml"), "--domain", host], TimeSpan.FromMinutes(1), environment);
        var broken = Path.Combine(dir.Path, "broken.yaml");
        await File.WriteAllTextAsync(broken, "openapi: 3.0.0\npaths: [\n");
        var failed = await EdgeProcess.RunToExitAsync(
            ["import", broken, "--domain", host, "--admin-url", edge.AdminBase.ToString()], TimeSpan.FromMinutes(1), environment);

        // Assert
        result.ExitCode.ShouldBe(0, result.ToString());
        result.StdOut.ShouldContain("3 created");
        result.StdOut.ShouldContain("3 started");
        using var pets = await edge.Gateway.SendWithHostAsync(HttpMethod.Get, "/v1/pets", host);
        pets.StatusCode.ShouldBe(HttpStatusCode.OK);
        missing.ExitCode.ShouldBe(2, missing.ToString());
        missing.StdErr.ShouldContain("no such file");
        failed.ExitCode.ShouldBe(1, failed.ToString());
        failed.StdErr.ShouldContain("invalid spec");
    }

    private static List<string> Endpoints(ApiResponse list) =>
    [
        .. list.ShouldSucceed().Items.Select(e => string.Join(" | ",
            e.Str("method"), e.Str("path"), e.Str("name"), e.GetProperty("description").ToString(), e.Str("code"),
            e.Num("timeout_ms").ToString(System.Globalization.CultureInfo.InvariantCulture),
            e.GetProperty("validate_requests").GetBoolean().ToString(), e.Str("status"), e.GetProperty("file_roots").ToString(),
            e.GetProperty("stream_body").GetBoolean().ToString())).Order(StringComparer.Ordinal),
    ];
}
