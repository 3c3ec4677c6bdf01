using System.Net;
using System.Text.Json;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Keys;

/// <summary>An endpoint's <c>auth</c> and <c>allowed_client_names</c> travel through an exported spec's x-edge.</summary>
[Collection(GatewayCollection.Name)]
public sealed class EndpointAuthExportTests(GatewayFixture fixture)
{
    private const string Hello = "Response Handle(Context ctx, Request req) => Response.Text(200, \"hi\");";

    private readonly HttpClient _admin = fixture.Edge.Admin;

    [Fact]
    public async Task ExportThenImport_AuthAndClientNames_RoundTripThroughXEdge()
    {
        // Arrange
        var source = Unique.Host();
        var target = Unique.Host();
        await _admin.CreateEndpointAsync(new EndpointSpec { Path = "/keyed", Domain = source, Code = Hello, Auth = "api_key" });
        var mtls = (await _admin.CreateEndpointAsync(new EndpointSpec { Path = "/machines", Domain = source, Code = Hello })).ShouldSucceed().Id;
        (await _admin.SendRawAsync(HttpMethod.Put, $"/api/endpoints/{mtls}", """{"auth": "mtls", "allowed_client_names": ["billing", "ops.example"]}""")).ShouldSucceed();

        // Act
        using var export = await _admin.GetAsync($"/api/export/openapi?domain={source}");
        var spec = await export.Content.ReadAsStringAsync();
        var imported = (await _admin.ImportSpecAsync(spec, target)).ShouldSucceed();
        var copies = (await _admin.GetApiAsync($"/api/endpoints?domain={target}")).ShouldSucceed().Items.ToDictionary(e => e.Str("path"));

        // Assert
        export.StatusCode.ShouldBe(HttpStatusCode.OK);
        imported.Data.GetProperty("errors").GetArrayLength().ShouldBe(0, imported.ToString());
        copies["/keyed"].Str("auth").ShouldBe("api_key");
        copies["/machines"].Str("auth").ShouldBe("mtls");
        copies["/machines"].GetProperty("allowed_client_names").GetRawText().ShouldBe("""["billing","ops.example"]""");
    }

    [Fact]
    public async Task Import_BadAuthInXEdge_PerItemErrorAndNothingCreated()
    {
        // Arrange
        var target = Unique.Host();
        var spec = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["openapi"] = "3.0.3",
            ["info"] = new { title = "t", version = "1" },
            ["paths"] = new Dictionary<string, object>
            {
                ["/a"] = new { get = new Dictionary<string, object> { ["operationId"] = "a", ["x-edge"] = new { auth = "password" } } },
                ["/b"] = new { get = new Dictionary<string, object> { ["operationId"] = "b", ["x-edge"] = new { allowed_client_names = new object[] { "ok", 5 } } } },
            },
        });

        // Act
        var response = await _admin.ImportSpecAsync(spec, target);
        var left = (await _admin.GetApiAsync($"/api/endpoints?domain={target}")).ShouldSucceed().Items;

        // Assert
        response.ShouldFail(HttpStatusCode.BadRequest);
        response.Body.ShouldContain("/x-edge/auth");
        response.Body.ShouldContain("must be one of none, api_key, mtls");
        response.Body.ShouldContain("/x-edge/allowed_client_names");
        left.ShouldBeEmpty();
    }
}
