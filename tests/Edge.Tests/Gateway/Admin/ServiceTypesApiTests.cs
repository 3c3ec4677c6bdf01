using System.Net;
using System.Net.Http.Headers;
using Edge.Gateway.Config;
using Edge.Services;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Admin;

/// <summary>The service-type catalogue for the page's forms, write-only secrets, and the test probe's latency.</summary>
[Collection(GatewayCollection.Name)]
public sealed class ServiceTypesApiTests(GatewayFixture fixture)
{
    private readonly EdgeProcess _edge = fixture.Edge;

    [Fact]
    public async Task ServiceTypes_EveryTypeWithEveryFieldOfItsSchema()
    {
        // Act
        var types = (await _edge.Admin.GetApiAsync("/api/service-types")).ShouldSucceed().Items;

        // Assert
        types.Select(t => t.Str("type")).ShouldBe(ServiceSchemas.Types.Keys.Order(StringComparer.Ordinal), ignoreOrder: false);
        foreach (var type in types)
        {
            type.Str("label").ShouldNotBeNullOrWhiteSpace();
            var fields = type.GetProperty("fields").EnumerateArray().ToList();
            fields.Select(f => f.Str("name")).ShouldBe(ServiceSchemas.Types[type.Str("type")].Select(f => f.Name));
            fields.ShouldAllBe(f => f.Str("description").Length > 0);
            fields.Select(f => f.Str("kind")).ShouldAllBe(k => k == "string" || k == "int" || k == "bool" || k == "secret" || k == "enum");
        }

        var postgres = types.Single(t => t.Str("type") == "postgres");
        postgres.Str("label").ShouldBe("PostgreSQL");
        var field = (string name) => postgres.GetProperty("fields").EnumerateArray().Single(f => f.Str("name") == name);
        field("password").Str("kind").ShouldBe("secret");
        field("host").Bool("required").ShouldBeTrue();
        field("port").Str("kind").ShouldBe("int");
        field("port").Num("default").ShouldBe(5432);
        field("ssl_mode").Str("kind").ShouldBe("enum");
        field("ssl_mode").GetProperty("options").EnumerateArray().Select(o => o.GetString()).ShouldContain("verify-full");
        types.Single(t => t.Str("type") == "minio").GetProperty("fields").EnumerateArray()
            .Single(f => f.Str("name") == "secret_key").Str("kind").ShouldBe("secret");
    }

    [Fact]
    public async Task ServiceTypes_KeyWithoutServicesScope_403()
    {
        // Arrange
        var key = (await _edge.Admin.PostApiAsync("/api/admin-keys", new { name = Unique.Name("ep"), scopes = new[] { "endpoints:read" } })).ShouldSucceed().Data.Str("key");
        using var client = new HttpClient { BaseAddress = _edge.AdminBase };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

        // Act
        var answer = await client.GetApiAsync("/api/service-types");

        // Assert
        answer.ShouldFail(HttpStatusCode.Forbidden).Error!.ShouldContain("services:read");
    }

    [Fact]
    public async Task Update_EmptyOrMissingSecret_KeepsIt_NullClearsIt()
    {
        // Arrange
        var secret = "pw-" + Guid.NewGuid().ToString("N");
        var id = (await _edge.Admin.PostApiAsync("/api/services", new
        {
            name = Unique.Name("db"),
            service_type = "postgres",
            config = new { host = "127.0.0.1", port = 15432, database = "app", username = "app", password = secret, ssl_mode = "disable" },
        })).ShouldSucceed().Data.Str("id");

        // Act
        var blank = (await _edge.Admin.PutApiAsync($"/api/services/{id}", new { config = new { password = "", port = 15433 } })).ShouldSucceed();
        var keptAfterBlank = StoredConfig(id);
        var missing = (await _edge.Admin.PutApiAsync($"/api/services/{id}", new { config = new { port = 15434 } })).ShouldSucceed();
        var keptAfterMissing = StoredConfig(id);
        var cleared = (await _edge.Admin.PutApiAsync($"/api/services/{id}", new { config = new Dictionary<string, object?> { ["password"] = null } })).ShouldSucceed();

        // Assert
        keptAfterBlank.ShouldContain(secret);
        keptAfterMissing.ShouldContain(secret);
        StoredConfig(id).ShouldNotContain(secret);
        blank.Data.GetProperty("config").Str("password").ShouldBe("********");
        missing.Body.ShouldNotContain(secret);
        cleared.Data.GetProperty("config").GetProperty("password").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        (await _edge.Admin.GetApiAsync("/api/services")).Body.ShouldNotContain(secret);
        _edge.StdOut.ShouldNotContain(secret);
    }

    [Fact]
    public async Task Test_RealPostgres_ReportsLatency()
    {
        // Arrange
        var id = await _edge.Admin.CreateServiceAsync(TestServices.Postgres(Unique.Name("pg")));

        // Act
        var probe = (await _edge.Admin.PostApiAsync($"/api/services/{id}/test")).ShouldSucceed().Data;

        // Assert
        probe.Bool("connected").ShouldBeTrue(probe.GetRawText());
        probe.Dbl("latency_ms").ShouldBeGreaterThan(0);
        probe.GetRawText().ShouldNotContain(TestServices.Get("POSTGRES_PASSWORD"));
    }

    private string StoredConfig(string id) =>
        ConfigStore.Open(Path.Combine(_edge.DataDir, "edge.db"), TimeProvider.System).GetService(id).ShouldNotBeNull().Config;
}
