using System.Text.Json;
using Edge.Tests.Common;

namespace Edge.Tests.Services.Sql;

/// <summary>
/// ctx.Database over sqlite, postgres and mysql (MariaDB): one handler text, the same answers, checked from both
/// sides with each server's own client.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class SqlDatabaseTests(GatewayFixture fixture)
{
    private const string Injection = "x'); DROP TABLE t; --";

    private readonly EdgeProcess _edge = fixture.Edge;

    [Theory]
    [MemberData(nameof(SqlBackend.Engines), MemberType = typeof(SqlBackend))]
    public async Task SameHandler_CrudAndScalars_SameAnswersOnEveryEngine(string engine)
    {
        // Arrange
        var backend = SqlBackend.For(engine, _edge);
        var (_, path) = await SqlHandlers.DeployAsync(_edge, backend.Service(Unique.Name(engine)), SqlHandlers.Table);
        var table = SqlBackend.Table();

        // Act
        var created = await _edge.CallAsync(path, new { op = "create", table });
        var inserts = new List<int>();
        foreach (var row in new object[]
        {
            new { id = 1, name = "apple", qty = 5, price = 12.5 },
            new { id = 2, name = "pear", qty = 7, price = 3 },
            new { id = 3, name = "plum", qty = (int?)null, price = (double?)null },
        })
        {
            inserts.Add((int)(await _edge.CallAsync(path, new { op = "insert", table, row })).Body.Num("affected"));
        }

        var updated = await _edge.CallAsync(path, new { op = "update", table, name = "pear", qty = 9 });
        var unchanged = await _edge.CallAsync(path, new { op = "update", table, name = "pear", qty = 9 });
        var noMatch = await _edge.CallAsync(path, new { op = "update", table, name = "kiwi", qty = 1 });
        var scalars = await _edge.CallAsync(path, new { op = "scalars", table });
        var deleted = await _edge.CallAsync(path, new { op = "delete", table, id = 3 });
        var list = await _edge.CallAsync(path, new { op = "list", table });
        var one = await _edge.CallAsync(path, new { op = "get", table, id = 2 });
        var none = await _edge.CallAsync(path, new { op = "get", table, id = 99 });
        var batch = await _edge.CallAsync(path, new
        {
            op = "sql",
            table,
            sql = $"INSERT INTO {table} (id, name, qty) VALUES (50, 'batch', 1); SELECT name FROM {table} WHERE id = 50",
        });

        // Assert
        created.Status.ShouldBe(200, created.Text);
        created.Body.Str("engine").ShouldBe(engine);
        created.Body.Num("affected").ShouldBe(0);
        inserts.ShouldBe([1, 1, 1]);
        updated.Body.Num("affected").ShouldBe(1, updated.Text);
        unchanged.Body.Num("affected").ShouldBe(1, "UPDATE reports matched rows, also when nothing changed: " + unchanged.Text);
        noMatch.Body.Num("affected").ShouldBe(0);
        scalars.Status.ShouldBe(200, scalars.Text);
        scalars.Body.Num("count").ShouldBe(3);
        scalars.Body.Dbl("total").ShouldBe(14);
        scalars.Body.GetProperty("price").GetDecimal().ShouldBe(12.5m);
        scalars.Body.Str("name").ShouldBe("apple");
        scalars.Body.Num("text_number").ShouldBe(42);
        scalars.Body.GetProperty("missing").ValueKind.ShouldBe(JsonValueKind.Null);
        scalars.Body.Num("missing_default").ShouldBe(0);
        deleted.Body.Num("affected").ShouldBe(1);
        list.Status.ShouldBe(200, list.Text);
        list.Body.GetRawText().ShouldBe("""[{"id":1,"name":"apple","qty":5},{"id":2,"name":"pear","qty":9}]""");
        one.Body.GetRawText().ShouldBe("""{"id":2,"name":"pear","qty":9}""");
        none.Status.ShouldBe(404);
        batch.Body.GetRawText().ShouldBe("""[{"name":"batch"}]""", "the rows of the first statement that returns rows: " + batch.Text);
    }

    [Theory]
    [MemberData(nameof(SqlBackend.Engines), MemberType = typeof(SqlBackend))]
    public async Task Rows_WrittenByHandlerAndByServerClient_EachSideReadsTheOther(string engine)
    {
        // Arrange
        var backend = SqlBackend.For(engine, _edge);
        var (_, path) = await SqlHandlers.DeployAsync(_edge, backend.Service(Unique.Name(engine)), SqlHandlers.Table);
        var table = SqlBackend.Table();
        (await _edge.CallAsync(path, new { op = "create", table })).Status.ShouldBe(200);

        // Act: the handler writes (with text that would break spliced SQL), the server's client writes
        var inserted = await _edge.CallAsync(path, new { op = "insert", table, row = new { id = 1, name = Injection, qty = 3, price = 1.25 } });
        var seenByClient = await backend.ClientAsync($"SELECT id, name, qty, price FROM {table} ORDER BY id");
        await backend.ClientAsync($"INSERT INTO {table} (id, name, qty) VALUES (10, 'from the client', 77)");
        var seenByHandler = await _edge.CallAsync(path, new { op = "get", table, id = 10 });
        var count = await backend.ClientAsync($"SELECT COUNT(*) FROM {table}");

        // Assert
        inserted.Status.ShouldBe(200, inserted.Text);
        seenByClient.ShouldBe([$"1\t{Injection}\t3\t1.25"]);
        seenByHandler.Status.ShouldBe(200, seenByHandler.Text);
        seenByHandler.Body.GetRawText().ShouldBe("""{"id":10,"name":"from the client","qty":77}""");
        count.ShouldBe(["2"], "the table survived the injection text");
    }

    [Theory]
    [MemberData(nameof(SqlBackend.Engines), MemberType = typeof(SqlBackend))]
    public async Task Parameters_InjectionText_StoredVerbatimAndTableSurvives(string engine)
    {
        // Arrange: a table literally named t, which the injection text tries to drop
        var backend = SqlBackend.For(engine, _edge);
        var (_, path) = await SqlHandlers.DeployAsync(_edge, backend.Service(Unique.Name(engine)), SqlHandlers.Table);
        var table = SqlBackend.Table();
        (await _edge.CallAsync(path, new { op = "create", table })).Status.ShouldBe(200);

        // Act
        var insert = await _edge.CallAsync(path, new { op = "insert", table, row = new { id = 1, name = Injection, qty = 1, price = 0 } });
        var update = await _edge.CallAsync(path, new { op = "update", table, name = "' OR '1'='1", qty = 100 });
        var read = await _edge.CallAsync(path, new { op = "list", table });

        // Assert
        insert.Status.ShouldBe(200, insert.Text);
        update.Body.Num("affected").ShouldBe(0, "the OR text is a value, not SQL");
        read.Body.GetRawText().ShouldBe($$"""[{"id":1,"name":{{JsonSerializer.Serialize(Injection)}},"qty":1}]""");
        (await backend.ClientAsync($"SELECT name FROM {table}")).ShouldBe([Injection]);
    }

    [Theory]
    [MemberData(nameof(SqlBackend.Engines), MemberType = typeof(SqlBackend))]
    public async Task Records_OverATable_CrudFilterConflictAndNotFound(string engine)
    {
        // Arrange
        var backend = SqlBackend.For(engine, _edge);
        var (_, path) = await SqlHandlers.DeployAsync(_edge, backend.Service(Unique.Name(engine)), SqlHandlers.Records);
        var table = SqlBackend.Table("rec");

        // Act
        var a = await _edge.CallAsync(path, new { op = "create", table, id = "a-1", doc = new { status = "open", title = "first" } });
        var b = await _edge.CallAsync(path, new { op = "create", table, id = "b-2", doc = new { status = "done", title = "second" } });
        var duplicate = await _edge.CallAsync(path, new { op = "create", table, id = "a-1", doc = new { status = "open" } });
        var got = await _edge.CallAsync(path, new { op = "get", table, id = "a-1" });
        var all = await _edge.CallAsync(path, new { op = "list", table });
        var open = await _edge.CallAsync(path, new { op = "list", table, status = "open" });
        var updated = await _edge.CallAsync(path, new { op = "update", table, id = "a-1", doc = new { status = "done", title = "first, done" } });
        var unchanged = await _edge.CallAsync(path, new { op = "update", table, id = "a-1", doc = new { status = "done", title = "first, done" } });
        var missing = await _edge.CallAsync(path, new { op = "update", table, id = "zzz", doc = new { status = "x" } });
        var done = await _edge.CallAsync(path, new { op = "list", table, status = "done" });
        var stored = await backend.ClientAsync($"SELECT id, status FROM {table} ORDER BY id");
        var deleted = await _edge.CallAsync(path, new { op = "delete", table, id = "b-2" });
        var deletedAgain = await _edge.CallAsync(path, new { op = "delete", table, id = "b-2" });
        var gone = await _edge.CallAsync(path, new { op = "get", table, id = "b-2" });

        // Assert
        a.Status.ShouldBe(201, a.Text);
        b.Status.ShouldBe(201, b.Text);
        duplicate.Status.ShouldBe(409, duplicate.Text);
        got.Body.Str("title").ShouldBe("first");
        got.Body.Str("id").ShouldBe("a-1");
        all.Body.EnumerateArray().Select(d => d.Str("id")).ShouldBe(["a-1", "b-2"]);
        open.Body.EnumerateArray().Select(d => d.Str("id")).ShouldBe(["a-1"]);
        updated.Status.ShouldBe(200, updated.Text);
        unchanged.Status.ShouldBe(200, "an update that changes nothing still finds the record: " + unchanged.Text);
        missing.Status.ShouldBe(404, missing.Text);
        done.Body.EnumerateArray().Select(d => d.Str("title")).ShouldBe(["first, done", "second"]);
        stored.ShouldBe(["a-1\tdone", "b-2\tdone"]);
        deleted.Body.Bool("deleted").ShouldBeTrue();
        deletedAgain.Body.Bool("deleted").ShouldBeFalse();
        gone.Status.ShouldBe(404);
    }
}
