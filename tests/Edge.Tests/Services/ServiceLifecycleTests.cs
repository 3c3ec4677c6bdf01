using System.Net;
using Edge.Tests.Common;

namespace Edge.Tests.Services;

/// <summary>
/// Activation at run time, seen from a handler: deactivation lets admitted calls finish, a config change under
/// traffic swaps the connector without failing a request, a wrong kind of service is a clear 500, and the
/// service's live counters show in the API.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class ServiceLifecycleTests(GatewayFixture fixture)
{
    private readonly EdgeProcess _edge = fixture.Edge;

    [Fact]
    public async Task Deactivate_WhileACallRuns_CallCompletesThenNewCalls503()
    {
        // Arrange: a handler whose query takes a second
        var name = Unique.Name("pg");
        var serviceId = await _edge.Admin.CreateServiceAsync(TestServices.Postgres(name));
        var path = Unique.Path("slow");
        await _edge.Admin.DeployNewAsync(new EndpointSpec
        {
            Path = path,
            Code = $$"""
                async Task<Response> Handle(Context ctx, Request req) =>
                    Response.Ok(new { slept = await ctx.Database("{{name}}").ScalarAsync<string>("SELECT pg_sleep(1)::text") });
                """,
        });
        var running = _edge.Gateway.GetAsync(path);
        await Eventually.HoldsAsync(async () => (await ServiceAsync(serviceId)).GetProperty("status").Num("in_flight") == 1, TimeSpan.FromSeconds(10));

        // Act
        var started = DateTime.UtcNow;
        var deactivated = (await _edge.Admin.PostApiAsync($"/api/services/{serviceId}/deactivate")).ShouldSucceed();
        var waited = DateTime.UtcNow - started;
        using var first = await running;
        using var after = await _edge.Gateway.GetAsync(path);

        // Assert: the admitted call finished normally, deactivate waited for it, later calls are refused
        first.StatusCode.ShouldBe(HttpStatusCode.OK, await first.DescribeAsync());
        deactivated.Data.GetProperty("active").GetBoolean().ShouldBeFalse();
        deactivated.Data.Str("message").ShouldContain("in-flight operations completed");
        waited.ShouldBeGreaterThan(TimeSpan.FromMilliseconds(300));
        after.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await after.JsonAsync()).Str("error").ShouldBe($"service '{name}' is not active");
        (await ServiceAsync(serviceId)).GetProperty("enabled").GetBoolean().ShouldBeFalse();
    }

    [Fact]
    public async Task ConfigChange_UnderTraffic_NoRequestFailsAndNewConfigServes()
    {
        // Arrange: two SQLite files with different contents; the service points at the first
        using var temp = new TempDir();
        var a = Path.Combine(temp.Path, "a.db");
        var b = Path.Combine(temp.Path, "b.db");
        var name = Unique.Name("lite");
        var serviceId = await _edge.Admin.CreateServiceAsync(TestServices.Sqlite(name, a));
        var setup = Unique.Path("setup");
        await _edge.Admin.DeployNewAsync(new EndpointSpec
        {
            Path = setup,
            Code = $$"""
                async Task<Response> Handle(Context ctx, Request req)
                {
                    var db = ctx.Database("{{name}}");
                    await db.ExecuteAsync("CREATE TABLE IF NOT EXISTS which (v TEXT)");
                    await db.ExecuteAsync("DELETE FROM which");
                    await db.ExecuteAsync("INSERT INTO which (v) VALUES (@v)", new { v = req.QueryParam("v") });
                    return Response.Ok(null);
                }
                """,
        });
        var read = Unique.Path("which");
        await _edge.Admin.DeployNewAsync(new EndpointSpec
        {
            Path = read,
            Code = $$"""async Task<Response> Handle(Context ctx, Request req) => Response.Text(200, await ctx.Database("{{name}}").ScalarAsync<string>("SELECT v FROM which") ?? "");""",
        });
        (await _edge.Gateway.GetAsync(setup + "?v=a")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await _edge.Admin.PutApiAsync($"/api/services/{serviceId}", new { config = new { path = b } })).ShouldSucceed();
        (await _edge.Gateway.GetAsync(setup + "?v=b")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await _edge.Admin.PutApiAsync($"/api/services/{serviceId}", new { config = new { path = a } })).ShouldSucceed();

        // Act: readers hammer the endpoint while the config flips to b
        using var stop = new CancellationTokenSource();
        var statuses = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode>();
        var answers = new System.Collections.Concurrent.ConcurrentBag<string>();
        var readers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await _edge.Gateway.GetAsync(read);
                statuses.Add(response.StatusCode);
                answers.Add(await response.Content.ReadAsStringAsync());
            }
        })).ToList();
        await Task.Delay(300);
        (await _edge.Admin.PutApiAsync($"/api/services/{serviceId}", new { config = new { path = b } })).ShouldSucceed();
        await Task.Delay(300);
        await stop.CancelAsync();
        await Task.WhenAll(readers);
        using var final = await _edge.Gateway.GetAsync(read);

        // Assert
        statuses.ShouldAllBe(s => s == HttpStatusCode.OK);
        answers.ShouldContain("a");
        answers.ShouldContain("b");
        (await final.Content.ReadAsStringAsync()).ShouldBe("b");
    }

    [Fact]
    public async Task WrongKindOfService_500SayingWhichKind()
    {
        // Arrange: a redis service asked for SQL
        var name = Unique.Name("cache");
        await _edge.Admin.CreateServiceAsync(TestServices.Redis(name));
        var path = Unique.Path("kind");
        await _edge.Admin.DeployNewAsync(new EndpointSpec
        {
            Path = path,
            Code = $$"""async Task<Response> Handle(Context ctx, Request req) => Response.Ok(await ctx.Database("{{name}}").ScalarAsync<int>("SELECT 1"));""",
        });

        // Act
        using var response = await _edge.Gateway.GetAsync(path);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        var error = (await response.JsonAsync()).Str("error");
        error.ShouldContain($"service '{name}' is a redis service");
        error.ShouldContain("ctx.Database needs sqlite, postgres or mysql");
    }

    [Fact]
    public async Task Status_CountsCallsAndShowsLimits()
    {
        // Arrange
        var name = Unique.Name("lite");
        using var temp = new TempDir();
        var serviceId = await _edge.Admin.CreateServiceAsync(TestServices.Sqlite(name, Path.Combine(temp.Path, "s.db"), new { max_in_flight = 3, max_queue = 7, call_timeout_ms = 1234 }));
        var path = Unique.Path("count");
        await _edge.Admin.DeployNewAsync(new EndpointSpec
        {
            Path = path,
            Code = $$"""async Task<Response> Handle(Context ctx, Request req) => Response.Ok(await ctx.Database("{{name}}").ScalarAsync<long>("SELECT 1"));""",
        });

        // Act
        for (var i = 0; i < 5; i++)
        {
            (await _edge.Gateway.GetAsync(path)).StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        var service = await ServiceAsync(serviceId);

        // Assert
        service.GetProperty("active").GetBoolean().ShouldBeTrue();
        var status = service.GetProperty("status");
        status.Num("calls").ShouldBe(5);
        status.Num("max_in_flight").ShouldBe(3);
        status.Num("max_queue").ShouldBe(7);
        status.Num("call_timeout_ms").ShouldBe(1234);
        status.Num("in_flight").ShouldBe(0);
        status.GetProperty("backend_down").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
    }

    private async Task<System.Text.Json.JsonElement> ServiceAsync(string id) =>
        (await _edge.Admin.GetApiAsync($"/api/services/{id}")).ShouldSucceed().Data;
}
