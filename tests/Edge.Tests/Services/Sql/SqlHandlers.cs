using System.Net.Http.Json;
using System.Text.Json;
using Edge.Tests.Common;

namespace Edge.Tests.Services.Sql;

/// <summary>Handler texts deployed unchanged against every engine (the service is bound as "db"), and how to call them.</summary>
public static class SqlHandlers
{
    /// <summary>Table operations: POST {op, table, …}. The same text runs on sqlite, postgres and mysql.</summary>
    public const string Table = """
        async Task<Response> Handle(Context ctx, Request req)
        {
            var db = ctx.Database("db");
            var body = req.Json<JsonElement>();
            var table = body.GetProperty("table").GetString();
            switch (body.GetProperty("op").GetString())
            {
                case "create":
                    var created = await db.ExecuteAsync($"CREATE TABLE {table} (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(200) NOT NULL, qty INTEGER, price DECIMAL(10,2))");
                    return Response.Ok(new { engine = db.Engine, affected = created });
                case "insert":
                    // The request's JSON object is the parameter set.
                    return Response.Ok(new { affected = await db.ExecuteAsync($"INSERT INTO {table} (id, name, qty, price) VALUES (@id, @name, @qty, @price)", body.GetProperty("row")) });
                case "update":
                    var changes = new Dictionary<string, object?> { ["qty"] = body.GetProperty("qty").GetInt32(), ["name"] = body.GetProperty("name").GetString() };
                    return Response.Ok(new { affected = await db.ExecuteAsync($"UPDATE {table} SET qty = @qty WHERE name = @name", changes) });
                case "delete":
                    return Response.Ok(new { affected = await db.ExecuteAsync($"DELETE FROM {table} WHERE id = @id", new { id = body.GetProperty("id").GetInt32() }) });
                case "list":
                    return Response.Ok(await db.QueryAsync($"SELECT id, name, qty FROM {table} WHERE id >= @min ORDER BY id", new { min = 0 }));
                case "get":
                    var row = await db.QueryOneAsync($"SELECT id, name, qty FROM {table} WHERE id = @id", new { id = body.GetProperty("id").GetInt64() });
                    return row is null ? Response.NotFound("no such row") : Response.Ok(row);
                case "scalars":
                    return Response.Ok(new
                    {
                        count = await db.ScalarAsync<int>($"SELECT COUNT(*) FROM {table}"),
                        total = await db.ScalarAsync<double>($"SELECT SUM(qty) FROM {table}"),
                        price = await db.ScalarAsync<decimal>($"SELECT price FROM {table} WHERE id = @id", new { id = 1 }),
                        name = await db.ScalarAsync<string>($"SELECT name FROM {table} WHERE id = @id", new { id = 1 }),
                        text_number = await db.ScalarAsync<int>("SELECT @v", new { v = "42" }),
                        missing = await db.ScalarAsync<int?>($"SELECT qty FROM {table} WHERE id = @id", new { id = -1 }),
                        missing_default = await db.ScalarAsync<long>($"SELECT qty FROM {table} WHERE id = @id", new { id = -1 }),
                    });
                case "sql":
                    return Response.Ok(await db.QueryAsync(body.GetProperty("sql").GetString()!));
                default:
                    return Response.BadRequest("unknown op");
            }
        }
        """;

    /// <summary>Records over a table: POST {op, table, id, doc, status}.</summary>
    public const string Records = """
        async Task<Response> Handle(Context ctx, Request req)
        {
            var body = req.Json<JsonElement>();
            var records = ctx.Records("db", body.GetProperty("table").GetString()!);
            var id = body.TryGetProperty("id", out var i) ? i.GetString()! : "";
            switch (body.GetProperty("op").GetString())
            {
                case "create":
                    await records.CreateAsync(id, body.GetProperty("doc"));
                    return Response.Created(new { id });
                case "get":
                    var doc = await records.GetAsync(id);
                    return doc is null ? Response.NotFound("no record") : Response.Ok(doc);
                case "list":
                    return Response.Ok(await records.ListAsync(body.TryGetProperty("status", out var s) ? s.GetString() : null));
                case "update":
                    await records.UpdateAsync(id, body.GetProperty("doc"));
                    return Response.Ok(new { id });
                case "delete":
                    return Response.Ok(new { deleted = await records.DeleteAsync(id) });
                default:
                    return Response.BadRequest("unknown op");
            }
        }
        """;

    /// <summary>Creates the service, an endpoint running <paramref name="code"/> with the service bound as "db"; returns (service id, path).</summary>
    public static async Task<(string ServiceId, string Path)> DeployAsync(EdgeProcess edge, object serviceBody, string code, int? timeoutMs = null)
    {
        var serviceId = await edge.Admin.CreateServiceAsync(serviceBody);
        var path = Unique.Path("sql");
        var endpointId = (await edge.Admin.CreateEndpointAsync(new EndpointSpec { Path = path, Method = "POST", Code = code, TimeoutMs = timeoutMs }))
            .ShouldSucceed().Id;
        await edge.Admin.BindServiceAsync(endpointId, serviceId, "db");
        (await edge.Admin.DeployAsync(endpointId)).ShouldSucceed();
        return (serviceId, path);
    }

    /// <summary>POSTs <paramref name="body"/> as JSON; returns the status and the parsed body.</summary>
    public static async Task<(int Status, JsonElement Body, string Text)> CallAsync(this EdgeProcess edge, string path, object body)
    {
        using var response = await edge.Gateway.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        var json = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return ((int)response.StatusCode, json, text);
    }
}
