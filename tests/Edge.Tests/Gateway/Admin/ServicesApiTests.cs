using System.Net;
using Edge.Gateway.Config;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Admin;

/// <summary>The services API: per-type config validation, secrets stored but never shown, endpoint bindings.</summary>
[Collection(GatewayCollection.Name)]
public sealed class ServicesApiTests(GatewayFixture fixture)
{
    private readonly EdgeProcess _edge = fixture.Edge;

    private static object Postgres(string name, string password) => new
    {
        name,
        service_type = "postgres",
        config = new { host = "127.0.0.1", port = 15432, database = "app", username = "app", password, ssl_mode = "disable" },
    };

    [Fact]
    public async Task Create_WithPassword_StoredButRedactedEverywhere()
    {
        // Arrange
        var secret = "pw-" + Guid.NewGuid().ToString("N");

        // Act
        var created = (await _edge.Admin.PostApiAsync("/api/services", Postgres(Unique.Name("db"), secret))).ShouldSucceed();
        var id = created.Data.Str("id");

        // Assert: not in any response, not in the log, but in the store
        created.Status.ShouldBe(HttpStatusCode.Created);
        created.Data.GetProperty("config").Str("password").ShouldBe("********");
        (await _edge.Admin.GetApiAsync($"/api/services/{id}")).Body.ShouldNotContain(secret);
        (await _edge.Admin.GetApiAsync("/api/services")).Body.ShouldNotContain(secret);
        _edge.StdOut.ShouldNotContain(secret);
        _edge.StdErr.ShouldNotContain(secret);
        StoredConfig(id).ShouldContain(secret);
    }

    [Fact]
    public async Task Update_RedactedSecretSentBack_KeepsStoredSecretAndMergesConfig()
    {
        // Arrange
        var secret = "pw-" + Guid.NewGuid().ToString("N");
        var id = (await _edge.Admin.PostApiAsync("/api/services", Postgres(Unique.Name("db"), secret))).ShouldSucceed().Data.Str("id");

        // Act: a partial config, with the redacted password as GET showed it
        var updated = (await _edge.Admin.PutApiAsync($"/api/services/{id}", new { config = new { port = 5433, password = "********" } })).ShouldSucceed();

        // Assert
        updated.Data.GetProperty("config").Num("port").ShouldBe(5433);
        updated.Data.GetProperty("config").Str("host").ShouldBe("127.0.0.1");
        StoredConfig(id).ShouldContain(secret);
    }

    [Fact]
    public async Task Create_BadConfig_OneErrorNamingEveryField()
    {
        // Act
        var response = await _edge.Admin.PostApiAsync("/api/services", new
        {
            name = Unique.Name("bad"),
            service_type = "postgres",
            config = new { host = "h", port = 70000, ssl_mode = "sometimes", colour = "blue" },
        });

        // Assert
        response.ShouldFail(HttpStatusCode.BadRequest).ShouldNameFields(
            "config.port", "config.ssl_mode", "config.database", "config.username", "config.colour");
        (await _edge.Admin.GetApiAsync("/api/services")).Body.ShouldNotContain("sometimes");
    }

    [Theory]
    [InlineData("mongodb", "service_type")]
    [InlineData("email", "config.port")]
    [InlineData("ftp", "config.host_key_fingerprint")]
    public async Task Create_UnsupportedOrUnsafe_Refused(string type, string field)
    {
        // Arrange: implicit-TLS SMTP and SFTP without a pinned host key are refused with a reason
        object config = type switch
        {
            "email" => new { host = "127.0.0.1", port = 465, encryption = "starttls", from_address = "a@example.com" },
            "ftp" => new { host = "127.0.0.1", port = 2222, username = "u", password = "p", protocol = "sftp" },
            _ => new { host = "127.0.0.1" },
        };

        // Act
        var response = await _edge.Admin.PostApiAsync("/api/services", new { name = Unique.Name(type), service_type = type, config });

        // Assert
        response.ShouldFail(HttpStatusCode.BadRequest).ShouldNameFields(field);
    }

    [Fact]
    public async Task Bind_ListDuplicateUnbind_BehaveAndNameProblems()
    {
        // Arrange
        var endpointId = (await _edge.Admin.CreateEndpointAsync(new EndpointSpec { Path = Unique.Path("bound"), Code = "" })).ShouldSucceed().Data.Str("id");
        var serviceId = (await _edge.Admin.PostApiAsync("/api/services", Postgres(Unique.Name("db"), "x"))).ShouldSucceed().Data.Str("id");
        var otherId = (await _edge.Admin.PostApiAsync("/api/services", Postgres(Unique.Name("db"), "y"))).ShouldSucceed().Data.Str("id");

        // Act / Assert
        (await _edge.Admin.PostApiAsync($"/api/endpoints/{endpointId}/services", new { service_id = serviceId, pool_id = "main-db" }))
            .ShouldSucceed().Status.ShouldBe(HttpStatusCode.Created);
        (await _edge.Admin.PostApiAsync($"/api/endpoints/{endpointId}/services", new { service_id = otherId, pool_id = "main-db" }))
            .ShouldFail(HttpStatusCode.Conflict);
        (await _edge.Admin.PostApiAsync($"/api/endpoints/{endpointId}/services", new { service_id = Guid.NewGuid().ToString(), pool_id = "a b" }))
            .ShouldFail(HttpStatusCode.BadRequest).ShouldNameFields("service_id", "pool_id");
        var list = (await _edge.Admin.GetApiAsync($"/api/endpoints/{endpointId}/services")).ShouldSucceed();
        list.Data.GetArrayLength().ShouldBe(1);
        list.Data[0].Str("pool_id").ShouldBe("main-db");
        (await _edge.Admin.DeleteApiAsync($"/api/endpoints/{endpointId}/services/{serviceId}")).ShouldSucceed();
        (await _edge.Admin.DeleteApiAsync($"/api/endpoints/{endpointId}/services/{serviceId}")).ShouldFail(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Delete_BoundService_RemovesItsBindings()
    {
        // Arrange
        var endpointId = (await _edge.Admin.CreateEndpointAsync(new EndpointSpec { Path = Unique.Path("unbind"), Code = "" })).ShouldSucceed().Data.Str("id");
        var serviceId = (await _edge.Admin.PostApiAsync("/api/services", Postgres(Unique.Name("db"), "x"))).ShouldSucceed().Data.Str("id");
        (await _edge.Admin.PostApiAsync($"/api/endpoints/{endpointId}/services", new { service_id = serviceId, pool_id = "db" })).ShouldSucceed();

        // Act
        (await _edge.Admin.DeleteApiAsync($"/api/services/{serviceId}")).ShouldSucceed();

        // Assert
        (await _edge.Admin.GetApiAsync($"/api/services/{serviceId}")).ShouldFail(HttpStatusCode.NotFound);
        (await _edge.Admin.GetApiAsync($"/api/endpoints/{endpointId}/services")).ShouldSucceed().Data.GetArrayLength().ShouldBe(0);
    }

    private string StoredConfig(string id) =>
        ConfigStore.Open(Path.Combine(_edge.DataDir, "edge.db"), TimeProvider.System).GetService(id).ShouldNotBeNull().Config;
}
