using System.IO.Compression;
using System.Net;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Import;

[Collection(GatewayCollection.Name)]
public sealed class BundleImportTests(GatewayFixture fixture)
{
    private const string Spec = """
        openapi: 3.1.0
        info: { title: Pets, version: "1.0" }
        servers: [{ url: /v1 }]
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

    private const string GetPetById = """
        Response Handle(Context ctx, Request req)
        {
            var id = req.RequirePathParam<long>("petId");
            return Response.Ok(new { id, from = "bundle" });
        }
        """;

    private const string Manifest = """
        bundle:
          name: pets-bundle
          version: 1.2.0
          dependencies:
            serde: "1.0"
        routes:
          - method: GET
            path: /health
            handler: health
        """;

    private const string Health = "Response Handle(Context ctx, Request req) => Response.Text(200, \"healthy\");";

    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly HttpClient _gateway = fixture.Edge.Gateway;

    [Theory]
    [InlineData("bundle")]
    [InlineData("file")]
    [InlineData("zip")]
    public async Task ImportBundle_HandlersMatchedByNormalisedOperationId_CompiledStartedAndServing(string field)
    {
        // Arrange
        var host = Unique.Host();
        var zip = ImportApi.Zip(("openapi.yaml", Spec), ("bundle.yaml", Manifest), ("handlers/get_pet_by_id.cs", GetPetById), ("src/health.cs", Health));

        // Act
        var response = await _admin.ImportBundleAsync(zip, $"domain={host}&compile=true&start=true", field);

        // Assert
        response.ShouldSucceed();
        var data = response.Data;
        data.Num("endpoints_created").ShouldBe(3);
        data.Num("handlers_matched").ShouldBe(2);
        data.Num("compiled").ShouldBe(3);
        data.Num("started").ShouldBe(3);
        data.GetProperty("errors").GetArrayLength().ShouldBe(0, response.ToString());
        using var pet = await _gateway.SendWithHostAsync(HttpMethod.Get, "/v1/pets/5", host);
        (await pet.JsonAsync()).Str("from").ShouldBe("bundle");
        using var health = await _gateway.SendWithHostAsync(HttpMethod.Get, "/v1/health", host);
        (await health.Content.ReadAsStringAsync()).ShouldBe("healthy");
        using var list = await _gateway.SendWithHostAsync(HttpMethod.Get, "/v1/pets", host);
        (await list.Content.ReadAsStringAsync()).Trim().ShouldBe("[]");
        var stored = (await _admin.GetApiAsync($"/api/endpoints?domain={host}")).ShouldSucceed().Items;
        stored.ShouldAllBe(e => e.GetProperty("dependencies").GetProperty("serde").GetString() == "1.0");
        stored.Single(e => e.Str("path") == "/v1/pets/{petId}").Str("code").ShouldBe(GetPetById);
    }

    [Fact]
    public async Task ImportBundle_CompileError_Returns422WithDiagnosticsAndImportsNothing()
    {
        // Arrange
        var host = Unique.Host();
        var broken = "Response Handle(Context ctx, Request req)\n{\n    return Response.Ok(undefinedThing);\n}\n";
        var zip = ImportApi.Zip(("openapi.yaml", Spec), ("getPetById.cs", broken));

        // Act
        var response = await _admin.ImportBundleAsync(zip, $"domain={host}&compile=true&start=true");

        // Assert
        response.ShouldFail(HttpStatusCode.UnprocessableEntity);
        var error = response.Data.GetProperty("errors").EnumerateArray().Single();
        error.Str("file").ShouldBe("getPetById.cs");
        error.Str("operation").ShouldBe("getPetById");
        var diagnostic = error.GetProperty("diagnostics").EnumerateArray().First();
        diagnostic.Num("line").ShouldBe(3);
        diagnostic.Str("id").ShouldBe("CS0103");
        (await _admin.GetApiAsync($"/api/endpoints?domain={host}")).ShouldSucceed().Items.Count.ShouldBe(0);
    }

    [Fact]
    public async Task ImportBundle_CompileErrorWithPartial_ImportsTheRest()
    {
        // Arrange
        var host = Unique.Host();
        var zip = ImportApi.Zip(("openapi.yaml", Spec), ("getPetById.cs", "this is not C#"));

        // Act
        var response = await _admin.ImportBundleAsync(zip, $"domain={host}&compile=true&start=true&partial=true");

        // Assert
        response.ShouldSucceed();
        response.Data.Num("endpoints_created").ShouldBe(1);
        response.Data.GetProperty("errors").GetArrayLength().ShouldBe(1);
        using var list = await _gateway.SendWithHostAsync(HttpMethod.Get, "/v1/pets", host);
        list.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task ImportBundle_RunningEndpointWithNewCode_IsSwappedGracefully()
    {
        // Arrange
        var host = Unique.Host();
        (await _admin.ImportBundleAsync(ImportApi.Zip(("openapi.yaml", Spec), ("getPetById.cs", GetPetById)), $"domain={host}&start=true")).ShouldSucceed();
        var second = GetPetById.Replace("\"bundle\"", "\"second\"", StringComparison.Ordinal);

        // Act
        var response = await _admin.ImportBundleAsync(ImportApi.Zip(("openapi.yaml", Spec), ("getPetById.cs", second)), $"domain={host}&start=true");

        // Assert
        response.ShouldSucceed().Data.Num("endpoints_updated").ShouldBe(2);
        response.Data.Num("endpoints_created").ShouldBe(0);
        using var pet = await _gateway.SendWithHostAsync(HttpMethod.Get, "/v1/pets/5", host);
        (await pet.JsonAsync()).Str("from").ShouldBe("second");
        var endpoint = (await _admin.GetApiAsync($"/api/endpoints?domain={host}")).ShouldSucceed().Items.Single(e => e.Str("name") == "getPetById");
        endpoint.Num("revision").ShouldBe(2);
        endpoint.Num("running_revision").ShouldBe(2);
    }

    [Theory]
    [InlineData("../evil.cs")]
    [InlineData("/etc/passwd")]
    [InlineData("handlers/../../evil.cs")]
    [InlineData("..\\evil.cs")]
    public async Task ImportBundle_EntryEscapingTheRoot_Returns400(string name)
    {
        // Arrange
        var host = Unique.Host();
        var zip = ImportApi.Zip(("openapi.yaml", Spec), (name, Health));

        // Act
        var response = await _admin.ImportBundleAsync(zip, $"domain={host}");

        // Assert
        response.ShouldFail(HttpStatusCode.BadRequest).Error!.ShouldContain("invalid bundle");
        (await _admin.GetApiAsync($"/api/endpoints?domain={host}")).ShouldSucceed().Items.Count.ShouldBe(0);
    }

    [Fact]
    public async Task ImportBundle_CompressionBomb_Returns400WithoutInflatingIt()
    {
        // Arrange: 200 MiB of zeros deflate to about 200 KiB.
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var spec = new StreamWriter(zip.CreateEntry("openapi.yaml").Open()))
            {
                spec.Write(Spec);
            }

            using var bomb = zip.CreateEntry("handlers/bomb.cs", CompressionLevel.SmallestSize).Open();
            var zeros = new byte[1024 * 1024];
            for (var i = 0; i < 200; i++)
            {
                bomb.Write(zeros);
            }
        }

        // Act
        var response = await _admin.ImportBundleAsync(buffer.ToArray(), $"domain={Unique.Host()}");

        // Assert
        response.ShouldFail(HttpStatusCode.BadRequest).Error!.ShouldContain("bomb.cs");
        fixture.Edge.IsRunning.ShouldBeTrue();
    }

    [Fact]
    public async Task ImportBundle_TooManyEntries_Returns400()
    {
        // Arrange
        var files = Enumerable.Range(0, 5001).Select(i => ($"f{i}.txt", "x")).Prepend(("openapi.yaml", Spec)).ToArray();

        // Act
        var response = await _admin.ImportBundleAsync(ImportApi.Zip(files), $"domain={Unique.Host()}");

        // Assert
        response.ShouldFail(HttpStatusCode.BadRequest).Error!.ShouldContain("entries");
    }

    [Fact]
    public async Task ImportBundle_NotAZipOrNoSpec_Returns400()
    {
        // Act
        var notZip = await _admin.ImportBundleAsync("definitely not a zip"u8.ToArray(), $"domain={Unique.Host()}");
        var noSpec = await _admin.ImportBundleAsync(ImportApi.Zip(("handlers/a.cs", Health)), $"domain={Unique.Host()}");
        var noField = await _admin.SendParsedAsync(new HttpRequestMessage(HttpMethod.Post, $"/api/import/bundle?domain={Unique.Host()}")
        {
            Content = new MultipartFormDataContent { { new StringContent("x"), "other" } },
        });
        var badFlag = await _admin.ImportBundleAsync(ImportApi.Zip(("openapi.yaml", Spec)), $"domain={Unique.Host()}&compile=maybe");

        // Assert
        notZip.ShouldFail(HttpStatusCode.BadRequest).Error!.ShouldContain("invalid bundle");
        noSpec.ShouldFail(HttpStatusCode.BadRequest).Error!.ShouldContain("openapi.yaml");
        noField.ShouldFail(HttpStatusCode.BadRequest).Error!.ShouldContain("bundle");
        badFlag.ShouldFail(HttpStatusCode.BadRequest).Error!.ShouldContain("compile");
    }

    [Fact]
    public async Task ImportBundle_ManifestNamesMissingHandler_Returns400NamingIt()
    {
        // Arrange
        var host = Unique.Host();
        var zip = ImportApi.Zip(("openapi.yaml", Spec), ("bundle.yaml", Manifest));

        // Act
        var response = await _admin.ImportBundleAsync(zip, $"domain={host}");

        // Assert
        response.ShouldFail(HttpStatusCode.BadRequest);
        response.Data.GetProperty("errors").EnumerateArray().Single().Str("message").ShouldContain("health");
    }
}
