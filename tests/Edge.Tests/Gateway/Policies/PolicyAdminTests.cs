using System.Net;
using System.Text.Json;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Policies;

/// <summary>The policy fields through the admin API (validation, GET, clearing) and the OpenAPI export/import round trip.</summary>
[Collection(PolicyCollection.Name)]
public sealed class PolicyAdminTests(PolicyGatewayFixture fixture)
{
    private readonly EdgeProcess _edge = fixture.Edge;

    [Theory]
    [InlineData("""{"rate_limit": {"permits": 0, "window_seconds": 60}}""", "rate_limit: permits must be an integer between 1 and 1000000, got 0")]
    [InlineData("""{"rate_limit": {"permits": 2000000, "window_seconds": 60}}""", "permits must be an integer between 1 and 1000000")]
    [InlineData("""{"rate_limit": {"permits": 5, "window_seconds": 0}}""", "window_seconds must be an integer between 1 and 86400, got 0")]
    [InlineData("""{"rate_limit": {"permits": 5, "window_seconds": 90000}}""", "window_seconds must be an integer between 1 and 86400")]
    [InlineData("""{"rate_limit": {"window_seconds": 60}}""", "permits is required")]
    [InlineData("""{"rate_limit": {"permits": 5, "window_seconds": 60, "key": "cookie"}}""", "key must be \"ip\", \"api_key\" or \"header:<name>\", got 'cookie'")]
    [InlineData("""{"rate_limit": {"permits": 5, "window_seconds": 60, "key": "header:"}}""", "needs a header name")]
    [InlineData("""{"rate_limit": {"permits": 5, "window_seconds": 60, "key": "header:bad name"}}""", "needs a header name")]
    [InlineData("""{"rate_limit": {"permits": 5, "window_seconds": 60, "burst": 3}}""", "unknown field 'burst'")]
    [InlineData("""{"rate_limit": 5}""", "rate_limit: must be an object")]
    [InlineData("""{"max_concurrency": 0}""", "max_concurrency: must be an integer between 1 and 100000")]
    [InlineData("""{"max_concurrency": 100001}""", "max_concurrency: must be an integer between 1 and 100000")]
    [InlineData("""{"max_concurrency": 2, "queue_limit": -1}""", "queue_limit: must be an integer between 0 and 100000")]
    [InlineData("""{"max_concurrency": 2, "queue_timeout_ms": 0}""", "queue_timeout_ms: must be an integer between 1 and 600000")]
    [InlineData("""{"max_concurrency": 2, "queue_timeout_ms": 600001}""", "queue_timeout_ms: must be an integer between 1 and 600000")]
    [InlineData("""{"queue_limit": 3}""", "queue_limit: needs max_concurrency")]
    [InlineData("""{"cors": {"methods": ["GET"]}}""", "origins is required")]
    [InlineData("""{"cors": {"origins": ["https://a.example/app"]}}""", "'https://a.example/app' is not \"*\" or an absolute origin")]
    [InlineData("""{"cors": {"origins": ["a.example"]}}""", "'a.example' is not \"*\" or an absolute origin")]
    [InlineData("""{"cors": {"origins": ["*"], "credentials": true}}""", "credentials: true cannot be combined with origins [\"*\"]")]
    [InlineData("""{"cors": {"origins": ["https://a.example"], "methods": ["GE T"]}}""", "methods: 'GE T' is not a valid method")]
    [InlineData("""{"cors": {"origins": ["https://a.example"], "headers": ["x:y"]}}""", "headers: 'x:y' is not a valid header name")]
    [InlineData("""{"cors": {"origins": ["https://a.example"], "max_age_seconds": 86401}}""", "max_age_seconds must be an integer between 0 and 86400")]
    [InlineData("""{"cors": {"origins": ["https://a.example"], "credentials": "yes"}}""", "credentials must be true or false")]
    public async Task CreateEndpoint_BadPolicyField_400WithAPreciseMessage(string fields, string expected)
    {
        // Arrange
        var body = fields[..^1] + $$""", "name": "p", "path": "{{Unique.Path()}}", "method": "GET", "domain": "*"}""";

        // Act
        var response = await _edge.Admin.SendRawAsync(HttpMethod.Post, "/api/endpoints", body);

        // Assert
        response.ShouldFail(HttpStatusCode.BadRequest);
        response.Error.ShouldNotBeNull().ShouldContain(expected);
    }

    [Fact]
    public async Task UpdateEndpoint_PolicyFields_ShownByGetAndClearedByNull()
    {
        // Arrange
        var id = (await _edge.Admin.CreateEndpointAsync(new EndpointSpec { Path = Unique.Path(), Code = PolicyEndpoints.Counter })).ShouldSucceed().Id;

        // Act
        var set = await _edge.Admin.SendRawAsync(HttpMethod.Put, $"/api/endpoints/{id}", """
            {"rate_limit": {"permits": 5, "window_seconds": 10, "key": "header:X-Tenant"}, "max_concurrency": 4, "queue_limit": 8,
             "queue_timeout_ms": 250, "cors": {"origins": ["https://A.example/"], "methods": ["get"], "headers": ["X-Trace"], "credentials": true, "max_age_seconds": 60}}
            """);
        var shown = (await _edge.Admin.GetEndpointAsync(id)).ShouldSucceed().Data;
        var cleared = await _edge.Admin.SendRawAsync(HttpMethod.Put, $"/api/endpoints/{id}",
            """{"rate_limit": null, "max_concurrency": null, "queue_limit": null, "queue_timeout_ms": null, "cors": null}""");
        var after = (await _edge.Admin.GetEndpointAsync(id)).ShouldSucceed().Data;

        // Assert
        set.ShouldSucceed();
        shown.GetProperty("rate_limit").GetRawText().ShouldBe("""{"permits":5,"window_seconds":10,"key":"header:x-tenant","headers":"refused"}""");
        shown.Num("max_concurrency").ShouldBe(4);
        shown.Num("queue_limit").ShouldBe(8);
        shown.Num("queue_timeout_ms").ShouldBe(250);
        shown.GetProperty("cors").GetRawText().ShouldBe("""{"origins":["https://a.example"],"methods":["GET"],"headers":["x-trace"],"credentials":true,"max_age_seconds":60}""");
        cleared.ShouldSucceed();
        foreach (var field in new[] { "rate_limit", "max_concurrency", "queue_limit", "queue_timeout_ms", "cors" })
        {
            after.TryGetProperty(field, out var value);
            value.ValueKind.ShouldBeOneOf(JsonValueKind.Null, JsonValueKind.Undefined);
        }
    }

    [Fact]
    public async Task ExportThenImport_PolicyFields_RoundTripThroughXEdge()
    {
        // Arrange
        var source = Unique.Host();
        var target = Unique.Host();
        var id = (await _edge.Admin.CreateEndpointAsync(new EndpointSpec { Path = "/limited", Domain = source, Code = PolicyEndpoints.Counter })).ShouldSucceed().Id;
        (await _edge.Admin.SendRawAsync(HttpMethod.Put, $"/api/endpoints/{id}", """
            {"rate_limit": {"permits": 7, "window_seconds": 30, "key": "api_key"}, "max_concurrency": 3, "queue_limit": 0, "queue_timeout_ms": 900,
             "cors": {"origins": ["https://app.example"], "credentials": true, "max_age_seconds": 120}}
            """)).ShouldSucceed();
        var before = Policies((await _edge.Admin.GetEndpointAsync(id)).ShouldSucceed().Data);

        // Act
        using var export = await _edge.Admin.GetAsync($"/api/export/openapi?domain={source}");
        var spec = await export.Content.ReadAsStringAsync();
        var imported = (await _edge.Admin.ImportSpecAsync(spec, target)).ShouldSucceed();
        var copy = (await _edge.Admin.GetApiAsync($"/api/endpoints?domain={target}")).ShouldSucceed().Items.Single();

        // Assert
        export.StatusCode.ShouldBe(HttpStatusCode.OK);
        spec.ShouldContain("\"x-edge\"");
        imported.Data.GetProperty("errors").GetArrayLength().ShouldBe(0, imported.ToString());
        Policies(copy).ShouldBe(before);
    }

    private static string Policies(JsonElement e) => string.Join(" | ",
        e.GetProperty("rate_limit").GetRawText(), e.GetProperty("max_concurrency").GetRawText(), e.GetProperty("queue_limit").GetRawText(),
        e.GetProperty("queue_timeout_ms").GetRawText(), e.GetProperty("cors").GetRawText());
}
