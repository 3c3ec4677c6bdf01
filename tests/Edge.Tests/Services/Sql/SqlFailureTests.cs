using System.Diagnostics;
using System.Net;
using Edge.Tests.Common;
using Xunit.Abstractions;

namespace Edge.Tests.Services.Sql;

/// <summary>
/// What handlers see when things go wrong: SQL errors (500 with the database's message), missing or inactive
/// services and dead servers (503 naming the service), recovery after a server restart without restarting edge,
/// and /test on live and dead backends. Secrets never show.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class SqlFailureTests(GatewayFixture fixture, ITestOutputHelper output)
{
    private const string SelectOne = """
        async Task<Response> Handle(Context ctx, Request req) => Response.Ok(await ctx.Database("db").QueryOneAsync("SELECT 1 AS one"));
        """;

    private readonly EdgeProcess _edge = fixture.Edge;

    [Theory]
    [MemberData(nameof(SqlBackend.Engines), MemberType = typeof(SqlBackend))]
    public async Task SqlErrors_Answer500WithTheDatabaseMessage(string engine)
    {
        // Arrange
        var name = Unique.Name(engine);
        var backend = SqlBackend.For(engine, _edge);
        var (_, path) = await SqlHandlers.DeployAsync(_edge, backend.Service(name), SqlHandlers.Table);
        var table = SqlBackend.Table();
        (await _edge.CallAsync(path, new { op = "create", table })).Status.ShouldBe(200);
        (await _edge.CallAsync(path, new { op = "insert", table, row = new { id = 1, name = "a", qty = 1, price = 1 } })).Status.ShouldBe(200);

        // Act
        var syntax = await _edge.CallAsync(path, new { op = "sql", table, sql = "SELEC 1" });
        var noTable = await _edge.CallAsync(path, new { op = "sql", table, sql = "SELECT * FROM no_such_table_" + Unique.Id() });
        var duplicate = await _edge.CallAsync(path, new { op = "insert", table, row = new { id = 1, name = "b", qty = 1, price = 1 } });
        var unboundParameter = await _edge.CallAsync(path, new { op = "sql", table, sql = "SELECT @nope AS x" });
        var afterwards = await _edge.CallAsync(path, new { op = "list", table });

        // Assert
        syntax.Status.ShouldBe(500, syntax.Text);
        syntax.Body.Str("error").ShouldStartWith($"service '{name}': ");
        syntax.Body.Str("error").ShouldContain("syntax", Case.Insensitive);
        noTable.Status.ShouldBe(500, noTable.Text);
        noTable.Body.Str("error").ShouldContain("no_such_table_");
        duplicate.Status.ShouldBe(500, duplicate.Text);
        duplicate.Body.Str("error").ShouldStartWith($"service '{name}': ");
        unboundParameter.Status.ShouldBe(500, unboundParameter.Text);
        unboundParameter.Body.Str("error").ShouldStartWith($"service '{name}': ");
        afterwards.Status.ShouldBe(200, "SQL errors do not mark the backend down: " + afterwards.Text);
    }

    [Fact]
    public async Task UnknownService_Answers503NamingIt()
    {
        // Arrange
        var path = Unique.Path("nosvc");
        var missing = Unique.Name("nowhere");
        await _edge.Admin.DeployNewAsync(new EndpointSpec
        {
            Path = path,
            Code = $$"""async Task<Response> Handle(Context ctx, Request req) => Response.Ok(await ctx.Database("{{missing}}").ScalarAsync<int>("SELECT 1"));""",
        });

        // Act
        using var response = await _edge.Gateway.GetAsync(path);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, await response.DescribeAsync());
        (await response.JsonAsync()).Str("error").ShouldContain($"no service named '{missing}'");
    }

    [Fact]
    public async Task DeactivatedService_Answers503NotActive_ThenServesAfterActivation()
    {
        // Arrange: the handler names the service itself (no binding)
        var name = Unique.Name("pg");
        var serviceId = await _edge.Admin.CreateServiceAsync(TestServices.Postgres(name));
        var path = Unique.Path("inactive");
        await _edge.Admin.DeployNewAsync(new EndpointSpec
        {
            Path = path,
            Code = $$"""async Task<Response> Handle(Context ctx, Request req) => Response.Ok(new { one = await ctx.Database("{{name}}").ScalarAsync<int>("SELECT 1") });""",
        });
        using (var before = await _edge.Gateway.GetAsync(path))
        {
            before.StatusCode.ShouldBe(HttpStatusCode.OK, await before.DescribeAsync());
        }

        // Act
        (await _edge.Admin.PostApiAsync($"/api/services/{serviceId}/deactivate")).ShouldSucceed();
        using var inactive = await _edge.Gateway.GetAsync(path);
        var activated = (await _edge.Admin.PostApiAsync($"/api/services/{serviceId}/activate")).ShouldSucceed();
        using var after = await _edge.Gateway.GetAsync(path);

        // Assert
        inactive.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, await inactive.DescribeAsync());
        (await inactive.JsonAsync()).Str("error").ShouldBe($"service '{name}' is not active");
        activated.Data.Bool("connected").ShouldBeTrue(activated.Body);
        after.StatusCode.ShouldBe(HttpStatusCode.OK, await after.DescribeAsync());
    }

    [Fact]
    public async Task Binding_PoolIdResolvesToADifferentlyNamedService()
    {
        // Arrange: two services; the endpoint binds the mysql one as "main", a postgres one exists under its own name
        var mysqlName = Unique.Name("orders-my");
        var pgName = Unique.Name("orders-pg");
        var mysqlId = await _edge.Admin.CreateServiceAsync(TestServices.MariaDb(mysqlName));
        await _edge.Admin.CreateServiceAsync(TestServices.Postgres(pgName));
        var path = Unique.Path("bound");
        var endpointId = (await _edge.Admin.CreateEndpointAsync(new EndpointSpec
        {
            Path = path,
            Code = $$"""
                async Task<Response> Handle(Context ctx, Request req) => Response.Ok(new
                {
                    main = ctx.Database("main").Engine,
                    version = await ctx.Database("main").ScalarAsync<string>("SELECT version()"),
                    by_name = ctx.Database("{{pgName}}").Engine,
                });
                """,
        })).ShouldSucceed().Id;
        await _edge.Admin.BindServiceAsync(endpointId, mysqlId, "main");

        // Act
        (await _edge.Admin.DeployAsync(endpointId)).ShouldSucceed();
        using var response = await _edge.Gateway.GetAsync(path);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
        var body = await response.JsonAsync();
        body.Str("main").ShouldBe("mysql");
        body.Str("version").ShouldContain("MariaDB");
        body.Str("by_name").ShouldBe("postgres");
    }

    [Theory]
    [InlineData("postgres", "postgres")]
    [InlineData("mysql", "mariadb")]
    public async Task ServerKilled_Answers503NamingService_ThenRecoversWithoutRestartingEdge(string engine, string server)
    {
        // Arrange
        var name = Unique.Name(engine + "-kill");
        var backend = SqlBackend.For(engine, _edge);
        var (serviceId, path) = await SqlHandlers.DeployAsync(_edge, backend.Service(name), SelectOne);
        var pid = _edge.ProcessId;
        (await _edge.CallAsync(path, new { })).Status.ShouldBe(200);

        (int Status, string Text) down;
        (int Status, string Text) stillDown;
        string? backendDown;
        try
        {
            // Act: the pooled connection dies with the server
            await TestServices.KillAsync(server);
            await WaitUntilRefusedAsync(server == "postgres" ? "POSTGRES" : "MARIADB");
            var first = await _edge.CallAsync(path, new { });
            down = (first.Status, first.Text);
            var second = await _edge.CallAsync(path, new { });
            stillDown = (second.Status, second.Text);
            backendDown = (await _edge.Admin.GetApiAsync($"/api/services/{serviceId}")).ShouldSucceed()
                .Data.GetProperty("status").GetProperty("backend_down").GetString();
        }
        finally
        {
            await TestServices.RestartAsync();
        }

        var clock = Stopwatch.StartNew();
        var recovered = await Eventually.HoldsAsync(async () => (await _edge.CallAsync(path, new { })).Status == 200, TimeSpan.FromSeconds(15), 100);

        // Assert
        output.WriteLine($"down: {down.Text}; recovered {clock.ElapsedMilliseconds} ms after the restart script returned");
        down.Status.ShouldBe(503, down.Text);
        down.Text.ShouldContain($"service '{name}' is unavailable");
        stillDown.Status.ShouldBe(503, stillDown.Text);
        backendDown.ShouldNotBeNullOrEmpty();
        recovered.ShouldBeTrue($"no 200 within 15 s of the restart ({clock.ElapsedMilliseconds} ms)");
        _edge.ProcessId.ShouldBe(pid);
        _edge.IsRunning.ShouldBeTrue();
    }

    [Theory]
    [MemberData(nameof(SqlBackend.Engines), MemberType = typeof(SqlBackend))]
    public async Task TestRoute_LiveBackend_ConnectedWithVersion(string engine)
    {
        // Arrange
        var backend = SqlBackend.For(engine, _edge);
        var serviceId = await _edge.Admin.CreateServiceAsync(backend.Service(Unique.Name(engine)));

        // Act
        var probe = (await _edge.Admin.PostApiAsync($"/api/services/{serviceId}/test")).ShouldSucceed().Data;

        // Assert
        probe.Bool("connected").ShouldBeTrue(probe.GetRawText());
        probe.Num("latency_ms").ShouldBeGreaterThanOrEqualTo(0);
        probe.Str("message").ShouldStartWith(engine switch { "postgres" => "PostgreSQL 15", "mysql" => "MariaDB 10.11", _ => "SQLite 3." });
    }

    [Theory]
    [MemberData(nameof(SqlBackend.Engines), MemberType = typeof(SqlBackend))]
    public async Task TestRoute_DeadBackend_NotConnectedWithReason_AndHandler503(string engine)
    {
        // Arrange: nobody listens on the port; the sqlite file does not exist and may not be created
        var name = Unique.Name(engine + "-dead");
        var port = FreePort.Next();
        var body = engine switch
        {
            "sqlite" => TestServices.Sqlite(name, Path.Combine(_edge.RootDir, Unique.Name("missing") + ".sqlite"), new { create_if_missing = false }),
            "postgres" => TestServices.Postgres(name, new { port }),
            _ => TestServices.MariaDb(name, new { port }),
        };
        var (serviceId, path) = await SqlHandlers.DeployAsync(_edge, body, SelectOne);

        // Act
        var probe = (await _edge.Admin.PostApiAsync($"/api/services/{serviceId}/test")).ShouldSucceed().Data;
        var call = await _edge.CallAsync(path, new { });

        // Assert
        output.WriteLine($"test: {probe.GetRawText()}; call: {call.Text}");
        probe.Bool("connected").ShouldBeFalse(probe.GetRawText());
        probe.Str("error").ShouldNotBeNullOrWhiteSpace();
        if (engine == "sqlite")
        {
            probe.Str("error").ShouldContain("does not exist");
        }
        else
        {
            probe.Str("error").ShouldContain("refused", Case.Insensitive, probe.GetRawText());
        }

        call.Status.ShouldBe(503, call.Text);
        call.Text.ShouldContain($"service '{name}' is unavailable");
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("mysql")]
    public async Task WrongPassword_503_AndNoPasswordInAnswersOrLogs(string engine)
    {
        // Arrange
        var secret = "pw-" + Guid.NewGuid().ToString("N");
        var name = Unique.Name(engine + "-auth");
        var backend = SqlBackend.For(engine, _edge);
        var (serviceId, path) = await SqlHandlers.DeployAsync(_edge, backend.Service(name, new { password = secret }), SelectOne);

        // Act
        var call = await _edge.CallAsync(path, new { });
        var probe = await _edge.Admin.PostApiAsync($"/api/services/{serviceId}/test");
        var view = await _edge.Admin.GetApiAsync($"/api/services/{serviceId}");
        var list = await _edge.Admin.GetApiAsync("/api/services");

        // Assert
        output.WriteLine($"call: {call.Text}; test: {probe.Body}");
        call.Status.ShouldBe(503, call.Text);
        call.Text.ShouldContain($"service '{name}' is unavailable");
        probe.ShouldSucceed().Data.Bool("connected").ShouldBeFalse();
        foreach (var text in new[] { call.Text, probe.Body, view.Body, list.Body, _edge.StdOut, _edge.StdErr })
        {
            text.ShouldNotContain(secret);
            text.ShouldNotContain(TestServices.Get("POSTGRES_PASSWORD"));
            text.ShouldNotContain(TestServices.Get("MARIADB_PASSWORD"));
        }
    }

    [Theory]
    [InlineData("sqlite", "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c")]
    [InlineData("postgres", "SELECT pg_sleep(30)")]
    [InlineData("mysql", "SELECT SLEEP(30)")]
    public async Task CallTimeout_SlowQuery_Answers504_AndTheQueryIsStopped(string engine, string slowSql)
    {
        // Arrange: the sqlite query never ends on its own; the others would hold their slot for 30 s
        var name = Unique.Name(engine + "-slow");
        var backend = SqlBackend.For(engine, _edge);
        var (serviceId, path) = await SqlHandlers.DeployAsync(
            _edge, backend.Service(name, new { call_timeout_ms = 500, max_in_flight = 1 }), SqlHandlers.Table, timeoutMs: 30_000);

        // Act
        var clock = Stopwatch.StartNew();
        var slow = await _edge.CallAsync(path, new { op = "sql", table = "x", sql = slowSql });
        var answeredIn = clock.ElapsedMilliseconds;
        var freed = await Eventually.HoldsAsync(async () =>
            (await _edge.Admin.GetApiAsync($"/api/services/{serviceId}")).ShouldSucceed().Data.GetProperty("status").Num("in_flight") == 0,
            TimeSpan.FromSeconds(5));
        var freedIn = clock.ElapsedMilliseconds;
        var next = await _edge.CallAsync(path, new { op = "sql", table = "x", sql = "SELECT 1 AS one" });

        // Assert
        output.WriteLine($"{engine}: 504 after {answeredIn} ms, slot free after {freedIn} ms: {slow.Text}");
        slow.Status.ShouldBe(504, slow.Text);
        slow.Text.ShouldContain($"service '{name}' did not answer within 500 ms");
        answeredIn.ShouldBeLessThan(3_000);
        freed.ShouldBeTrue("the interrupted query must give its slot back long before it would have ended");
        next.Status.ShouldBe(200, next.Text);
    }

    [Fact]
    public async Task Sqlite_RelativePath_ResolvedAgainstWorkingDirectory_InWalMode()
    {
        // Arrange: edge runs in its root folder
        var file = Unique.Name("rel") + ".sqlite";
        var (_, path) = await SqlHandlers.DeployAsync(_edge, TestServices.Sqlite(Unique.Name("sqlite"), file), SqlHandlers.Table);

        // Act
        var created = await _edge.CallAsync(path, new { op = "create", table = SqlBackend.Table() });

        // Assert
        created.Status.ShouldBe(200, created.Text);
        var absolute = Path.Combine(_edge.RootDir, file);
        File.Exists(absolute).ShouldBeTrue();
        var mode = await Cli("sqlite3", absolute, "PRAGMA journal_mode;");
        mode.Trim().ShouldBe("wal");
    }

    /// <summary>A killed server's sockets close only once its memory is released: wait until the port refuses.</summary>
    private static async Task WaitUntilRefusedAsync(string server)
    {
        var refused = await Eventually.HoldsAsync(async () =>
        {
            using var client = new System.Net.Sockets.TcpClient();
            try
            {
                await client.ConnectAsync(TestServices.Get(server + "_HOST"), TestServices.Port(server + "_PORT"));
                return false;
            }
            catch (System.Net.Sockets.SocketException)
            {
                return true;
            }
        }, TimeSpan.FromSeconds(10));
        refused.ShouldBeTrue($"{server} still accepts connections after being killed");
    }

    private static async Task<string> Cli(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true })!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output;
    }
}
