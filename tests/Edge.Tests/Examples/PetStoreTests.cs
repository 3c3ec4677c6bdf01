using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Edge.Tests.Common;

namespace Edge.Tests.Examples;

/// <summary>
/// examples/petstore: its setup.sh run against a real edge for each backend, then the five routes exercised
/// over HTTP. The handler text is the same file every time; only the bound service differs.
/// </summary>
public sealed class PetStoreTests
{
    public static TheoryData<string> Backends => ["sqlite", "postgres", "mysql", "s3", "ftp", "ftps", "sftp"];

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task PetStore_SameHandlerOnEveryBackend_AllRoutesBehave(string backend)
    {
        // Arrange: a fresh edge, the backend's "pets" location emptied, then the example's own setup script
        await using var edge = await EdgeProcess.StartAsync();
        using var temp = new TempDir();
        var unique = Unique.Name("pets");
        var environment = new Dictionary<string, string>
        {
            ["EDGE_ADMIN"] = edge.AdminBase.ToString(),
            ["EDGE_ADMIN_TOKEN"] = edge.Token!,
            ["PETSTORE_SERVICES_ENV"] = Path.Combine(TestServices.Dir, "services.env"),
            ["PETSTORE_SQLITE_PATH"] = Path.Combine(temp.Path, "petstore.db"),
            ["PETSTORE_FTP_BASE"] = "/" + unique,
            ["PETSTORE_SFTP_BASE"] = Path.Combine(TestServices.Get("SFTP_HOME"), unique),
        };
        await EmptyAsync(backend);
        var setup = await RunAsync(Path.Combine(RepoRoot(), "examples", "petstore", "setup.sh"), [backend], environment);
        setup.Code.ShouldBe(0, setup.Output);
        setup.Output.ShouldContain("connected");
        var http = edge.Gateway;

        // Act + Assert: create
        var rex = await SendAsync(http, HttpMethod.Post, "/pets", """{"name": "Rex", "category": "dog", "tags": ["friendly"]}""");
        rex.Status.ShouldBe(HttpStatusCode.Created, rex.Body);
        var rexId = rex.Json.GetProperty("id").GetString()!;
        rex.Json.GetProperty("status").GetString().ShouldBe("available");
        var tom = await SendAsync(http, HttpMethod.Post, "/pets", """{"name": "Tom", "status": "sold"}""");
        tom.Status.ShouldBe(HttpStatusCode.Created, tom.Body);
        var sneaky = await SendAsync(http, HttpMethod.Post, "/pets", """{"name": "x'); DROP TABLE pets; --"}""");
        sneaky.Status.ShouldBe(HttpStatusCode.Created, sneaky.Body);

        // validation: every problem at once, nothing stored
        var bad = await SendAsync(http, HttpMethod.Post, "/pets", """{"name": "", "status": "lost", "owner": 1}""");
        bad.Status.ShouldBe(HttpStatusCode.BadRequest);
        bad.Body.ShouldContain("name must be");
        bad.Body.ShouldContain("status must be one of");
        bad.Body.ShouldContain("unknown field 'owner'");
        (await SendAsync(http, HttpMethod.Post, "/pets", "{}")).Body.ShouldContain("name is required");
        (await SendAsync(http, HttpMethod.Post, "/pets", "not json")).Status.ShouldBe(HttpStatusCode.BadRequest);

        // list and filter
        var all = await SendAsync(http, HttpMethod.Get, "/pets");
        all.Json.GetProperty("count").GetInt32().ShouldBe(3, all.Body);
        all.Json.GetProperty("pets").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ShouldContain("x'); DROP TABLE pets; --");
        var sold = await SendAsync(http, HttpMethod.Get, "/pets?status=sold");
        sold.Json.GetProperty("pets").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ShouldBe(["Tom"]);
        (await SendAsync(http, HttpMethod.Get, "/pets?status=lost")).Status.ShouldBe(HttpStatusCode.BadRequest);

        // get, partial update
        var got = await SendAsync(http, HttpMethod.Get, $"/pets/{rexId}");
        got.Json.GetProperty("name").GetString().ShouldBe("Rex");
        var updated = await SendAsync(http, HttpMethod.Put, $"/pets/{rexId}", """{"status": "pending"}""");
        updated.Status.ShouldBe(HttpStatusCode.OK, updated.Body);
        updated.Json.GetProperty("name").GetString().ShouldBe("Rex");
        updated.Json.GetProperty("category").GetString().ShouldBe("dog");
        (await SendAsync(http, HttpMethod.Get, $"/pets/{rexId}")).Json.GetProperty("status").GetString().ShouldBe("pending");
        (await SendAsync(http, HttpMethod.Get, "/pets?status=pending")).Json.GetProperty("count").GetInt32().ShouldBe(1);
        (await SendAsync(http, HttpMethod.Put, "/pets/pet-missing", """{"status": "sold"}""")).Status.ShouldBe(HttpStatusCode.NotFound);
        (await SendAsync(http, HttpMethod.Put, $"/pets/{rexId}", """{"id": "other"}""")).Status.ShouldBe(HttpStatusCode.BadRequest);

        // hostile ids never reach the backend
        (await SendAsync(http, HttpMethod.Get, "/pets/.hidden")).Status.ShouldBe(HttpStatusCode.BadRequest);
        (await SendAsync(http, HttpMethod.Get, "/pets/a%2F..%2F..%2Fetc")).Status.ShouldBeOneOf(HttpStatusCode.BadRequest, HttpStatusCode.NotFound);

        // delete
        (await SendAsync(http, HttpMethod.Delete, $"/pets/{rexId}")).Status.ShouldBe(HttpStatusCode.NoContent);
        (await SendAsync(http, HttpMethod.Get, $"/pets/{rexId}")).Status.ShouldBe(HttpStatusCode.NotFound);
        (await SendAsync(http, HttpMethod.Delete, $"/pets/{rexId}")).Status.ShouldBe(HttpStatusCode.NotFound);
        (await SendAsync(http, HttpMethod.Get, "/pets")).Json.GetProperty("count").GetInt32().ShouldBe(2);

        // the same setup again updates in place
        var again = await RunAsync(Path.Combine(RepoRoot(), "examples", "petstore", "setup.sh"), [backend], environment);
        again.Code.ShouldBe(0, again.Output);
        (await SendAsync(http, HttpMethod.Get, "/pets")).Json.GetProperty("count").GetInt32().ShouldBe(2);
    }

    private static async Task<(HttpStatusCode Status, string Body, JsonElement Json)> SendAsync(HttpClient http, HttpMethod method, string path, string? body = null)
    {
        using var response = await http.SendAsync(method, path, body);
        var text = await response.Content.ReadAsStringAsync();
        var json = text.Length > 0 && text[0] is '{' or '[' ? JsonDocument.Parse(text).RootElement.Clone() : default;
        return (response.StatusCode, text, json);
    }

    /// <summary>Removes what earlier runs left in the shared servers (tables, objects); file backends use a fresh folder.</summary>
    private static async Task EmptyAsync(string backend)
    {
        switch (backend)
        {
            case "postgres":
                (await RunAsync("psql", ["-h", TestServices.Get("POSTGRES_HOST"), "-p", TestServices.Get("POSTGRES_PORT"), "-U", TestServices.Get("POSTGRES_USER"),
                    "-d", TestServices.Get("POSTGRES_DATABASE"), "-v", "ON_ERROR_STOP=1", "-c", "DROP TABLE IF EXISTS pets"],
                    new() { ["PGPASSWORD"] = TestServices.Get("POSTGRES_PASSWORD") })).Code.ShouldBe(0);
                break;
            case "mysql":
                (await RunAsync("mariadb", ["-h", TestServices.Get("MARIADB_HOST"), "-P", TestServices.Get("MARIADB_PORT"), "-u", TestServices.Get("MARIADB_USER"),
                    TestServices.Get("MARIADB_DATABASE"), "-e", "DROP TABLE IF EXISTS pets"],
                    new() { ["MYSQL_PWD"] = TestServices.Get("MARIADB_PASSWORD") })).Code.ShouldBe(0);
                break;
            case "s3":
                await using (var edge = await EdgeProcess.StartAsync())
                {
                    await edge.Admin.CreateServiceAsync(TestServices.S3("cleaner"));
                    var listed = (await edge.Admin.GetApiAsync("/api/minio/objects?prefix=pets/")).ShouldSucceed();
                    foreach (var item in listed.Data.GetProperty("objects").EnumerateArray())
                    {
                        (await edge.Admin.DeleteApiAsync("/api/minio/objects/" + item.GetProperty("key").GetString())).ShouldSucceed();
                    }
                }

                break;
        }
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, IReadOnlyList<string> args, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (k, v) in environment)
        {
            start.Environment[k] = v;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "examples", "petstore", "setup.sh")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("cannot find examples/petstore above " + AppContext.BaseDirectory);
    }
}
