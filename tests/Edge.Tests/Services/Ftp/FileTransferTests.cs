using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Tests.Common;

namespace Edge.Tests.Services.Ftp;

/// <summary>
/// <c>ctx.Ftp(name)</c> against the real vsftpd (ftp, ftps) and sshd (sftp with a key, with a password), through the
/// edge process: every operation checked from both sides, the handler's and the server's disk.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class FileTransferTests(GatewayFixture fixture) : IDisposable
{
    private readonly EdgeProcess _edge = fixture.Edge;
    private readonly List<FileServer> _servers = [];

    [Theory]
    [MemberData(nameof(FileServer.Variants), MemberType = typeof(FileServer))]
    public async Task Put_NestedFile_SameBytesOnServerDiskFoldersCreated(string variant)
    {
        // Arrange: bytes that text mode would mangle (CR LF, NUL, 0xFF)
        var (server, files) = await ServiceAsync(variant);
        var data = new byte[70_000];
        Random.Shared.NextBytes(data);
        "\r\n\0\xff"u8.CopyTo(data);

        // Act
        await files.PutAsync("a/b/c.bin", data);

        // Assert
        File.ReadAllBytes(Path.Combine(server.Disk, "a", "b", "c.bin")).ShouldBe(data);
    }

    [Theory]
    [MemberData(nameof(FileServer.Variants), MemberType = typeof(FileServer))]
    public async Task Put_ExistingFile_Replaced(string variant)
    {
        // Arrange
        var (server, files) = await ServiceAsync(variant);
        server.WriteOnDisk("r.txt", Encoding.UTF8.GetBytes("a much longer original content"));

        // Act
        await files.PutAsync("r.txt", "short"u8.ToArray());

        // Assert: replaced, not overwritten in place
        File.ReadAllText(Path.Combine(server.Disk, "r.txt")).ShouldBe("short");
        (await files.GetAsync("r.txt")).ShouldBe("short"u8.ToArray());
    }

    [Theory]
    [MemberData(nameof(FileServer.Variants), MemberType = typeof(FileServer))]
    public async Task GetAndList_FilesWrittenOnDisk_SeenByHandler(string variant)
    {
        // Arrange: files, a folder, a dot file and an empty file, written by the test on the server's disk
        var (server, files) = await ServiceAsync(variant);
        var data = Encoding.UTF8.GetBytes("from disk ✓\n");
        server.WriteOnDisk("y.txt", data);
        server.WriteOnDisk("x.bin", [0, 1, 2]);
        server.WriteOnDisk("empty", []);
        server.WriteOnDisk(".hidden", [1]);
        server.WriteOnDisk("sub/inner.txt", [42]);

        // Act
        var got = await files.GetAsync("/y.txt");
        var empty = await files.GetAsync("empty");
        var names = await files.ListAsync();
        var inner = await files.ListAsync("sub");
        var missingFolder = await files.ListAsync("no/such/folder");

        // Assert
        got.ShouldBe(data);
        empty.ShouldBe([]);
        names.ShouldBe(["empty", "x.bin", "y.txt"]);
        inner.ShouldBe(["inner.txt"]);
        missingFolder.ShouldBeEmpty();
    }

    [Theory]
    [MemberData(nameof(FileServer.Variants), MemberType = typeof(FileServer))]
    public async Task Delete_FileOnDisk_GoneThenFalse(string variant)
    {
        // Arrange
        var (server, files) = await ServiceAsync(variant);
        server.WriteOnDisk("d/gone.txt", [1, 2, 3]);

        // Act
        var first = await files.DeleteAsync("d/gone.txt");
        var second = await files.DeleteAsync("d/gone.txt");

        // Assert
        first.ShouldBeTrue();
        second.ShouldBeFalse();
        File.Exists(Path.Combine(server.Disk, "d", "gone.txt")).ShouldBeFalse();
        Directory.Exists(Path.Combine(server.Disk, "d")).ShouldBeTrue("only the file goes");
    }

    [Theory]
    [MemberData(nameof(FileServer.Variants), MemberType = typeof(FileServer))]
    public async Task Get_Missing_NullNotError(string variant)
    {
        // Arrange
        var (server, files) = await ServiceAsync(variant);
        server.WriteOnDisk("folder/present.txt", [1]);

        // Act / Assert: a missing file, a file in a missing folder, and a folder are all "no such file"
        (await files.GetAsync("missing.txt")).ShouldBeNull();
        (await files.GetAsync("nowhere/missing.txt")).ShouldBeNull();
        (await files.GetAsync("folder")).ShouldBeNull();
    }

    [Theory]
    [MemberData(nameof(FileServer.Variants), MemberType = typeof(FileServer))]
    public async Task RoundTrip_AwkwardNames_KeptExactly(string variant)
    {
        // Arrange: spaces, quotes, glob and URI characters, non-ASCII; a leading '/' means the base path
        var (server, files) = await ServiceAsync(variant);
        string[] names = ["sp ace#h%'s \"q\" [1]?*.txt", "ünï €.txt", "-dash.txt"];

        foreach (var name in names)
        {
            // Act
            await files.PutAsync("/odd/" + name, Encoding.UTF8.GetBytes(name));

            // Assert: on disk under that exact name, and back through the handler
            File.ReadAllText(Path.Combine(server.Disk, "odd", name)).ShouldBe(name);
            (await files.GetAsync("odd/" + name)).ShouldBe(Encoding.UTF8.GetBytes(name));
        }

        (await files.ListAsync("odd")).ShouldBe(names.Order(StringComparer.Ordinal).ToArray());
        foreach (var name in names)
        {
            (await files.DeleteAsync("odd/" + name)).ShouldBeTrue(name);
        }

        Directory.EnumerateFiles(Path.Combine(server.Disk, "odd")).ShouldBeEmpty();
    }

    public static TheoryData<string, string> EscapingPaths()
    {
        var data = new TheoryData<string, string>();
        string[] paths = ["../escape.txt", "a/../../escape.txt", "/../escape.txt", "..", "a\\..\\escape.txt", "a\0b.txt",
            "a\r\nDELE x", "~/escape.txt", "C:/escape.txt", "", "dir/"];
        foreach (var variant in new[] { "ftp", "sftp-key" })
        {
            foreach (var path in paths)
            {
                data.Add(variant, path);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EscapingPaths))]
    public async Task AnyOperation_EscapingPath_400AndNothingWritten(string variant, string path)
    {
        // Arrange: the base path is one level down, so that "../" would land in a folder we can see
        var outer = Unique.Name("ft");
        var (server, files) = await ServiceAsync(variant, folder: $"{outer}/inner");
        server.WriteOnDisk("keep.txt", [1]);
        var before = server.Snapshot();

        // Act
        var put = await files.CallAsync("put", path, [1, 2, 3]);
        var get = await files.CallAsync("get", path);
        var delete = await files.CallAsync("delete", path);

        // Assert
        put.Status.ShouldBe(HttpStatusCode.BadRequest, put.Body);
        get.Status.ShouldBe(HttpStatusCode.BadRequest, get.Body);
        delete.Status.ShouldBe(HttpStatusCode.BadRequest, delete.Body);
        JsonDocument.Parse(put.Body).RootElement.GetProperty("error").GetString().ShouldNotBeNullOrWhiteSpace();
        server.Snapshot().ShouldBe(before);
        File.Exists(Path.Combine(server.Home, outer, "escape.txt")).ShouldBeFalse();
    }

    [Theory]
    [InlineData("ftp")]
    [InlineData("sftp-password")]
    public async Task List_EscapingFolder_400(string variant)
    {
        // Arrange
        var (_, files) = await ServiceAsync(variant);

        // Act / Assert
        (await files.CallAsync("list", "../")).Status.ShouldBe(HttpStatusCode.BadRequest);
        (await files.CallAsync("list", "a\\b")).Status.ShouldBe(HttpStatusCode.BadRequest);
        (await files.CallAsync("list", "~")).Status.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Theory]
    [MemberData(nameof(FileServer.Variants), MemberType = typeof(FileServer))]
    public async Task Records_CreateGetListUpdateDelete_FilesOnDisk(string variant)
    {
        // Arrange
        var server = Track(FileServer.Create(variant));
        var name = Unique.Name("rec");
        await _edge.Admin.CreateServiceAsync(server.Body(name));
        var path = Unique.Path("records");
        await _edge.Admin.DeployNewAsync(new EndpointSpec
        {
            Path = path,
            Method = "POST",
            Code = $$"""
                async Task<Response> Handle(Context ctx, Request req)
                {
                    var records = ctx.Records("{{name}}", "people");
                    var id = req.QueryParam("id") ?? "";
                    switch (req.QueryParam("op"))
                    {
                        case "create": await records.CreateAsync(id, System.Text.Json.Nodes.JsonNode.Parse(req.Body!)!); return Response.Created(new { id });
                        case "update": await records.UpdateAsync(id, System.Text.Json.Nodes.JsonNode.Parse(req.Body!)!); return Response.Ok(new { id });
                        case "get": return await records.GetAsync(id) is { } doc ? Response.Ok(doc) : Response.NotFound("no record");
                        case "list": return Response.Ok(await records.ListAsync(req.QueryParam("filter")));
                        case "delete": return Response.Ok(new { deleted = await records.DeleteAsync(id) });
                        default: return Response.BadRequest("op?");
                    }
                }
                """,
        });
        async Task<(HttpStatusCode Status, string Body)> Call(string op, string id = "", string? body = null, string? filter = null)
        {
            using var response = await _edge.Gateway.SendAsync(HttpMethod.Post,
                $"{path}?op={op}&id={id}{(filter is null ? "" : "&filter=" + filter)}", body ?? "{}");
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        // Act / Assert: create, then read back from disk and through the handler
        (await Call("create", "ada", """{"name":"Ada","born":1815}""")).Status.ShouldBe(HttpStatusCode.Created);
        (await Call("create", "alan", """{"name":"Alan"}""")).Status.ShouldBe(HttpStatusCode.Created);
        (await Call("create", "ada", """{"name":"again"}""")).Status.ShouldBe(HttpStatusCode.Conflict);
        var onDisk = JsonNode.Parse(File.ReadAllText(Path.Combine(server.Disk, "people", "ada.json")))!;
        onDisk["name"]!.GetValue<string>().ShouldBe("Ada");
        onDisk["id"]!.GetValue<string>().ShouldBe("ada");
        var got = await Call("get", "ada");
        got.Status.ShouldBe(HttpStatusCode.OK, got.Body);
        JsonNode.Parse(got.Body)!["born"]!.GetValue<int>().ShouldBe(1815);

        // a record written by another program, straight onto the server's disk
        server.WriteOnDisk("people/grace.json", Encoding.UTF8.GetBytes("""{"id":"grace","name":"Grace"}"""));
        var list = await Call("list");
        list.Status.ShouldBe(HttpStatusCode.OK, list.Body);
        JsonNode.Parse(list.Body)!.AsArray().Select(n => n!["id"]!.GetValue<string>()).ShouldBe(["ada", "alan", "grace"]);
        JsonNode.Parse((await Call("list", filter: "al")).Body)!.AsArray().Count.ShouldBe(1);

        (await Call("update", "alan", """{"name":"Alan T."}""")).Status.ShouldBe(HttpStatusCode.OK);
        JsonNode.Parse(File.ReadAllText(Path.Combine(server.Disk, "people", "alan.json")))!["name"]!.GetValue<string>().ShouldBe("Alan T.");
        (await Call("update", "nobody", "{}")).Status.ShouldBe(HttpStatusCode.NotFound);

        (await Call("delete", "ada")).Body.ShouldContain("true");
        (await Call("delete", "ada")).Body.ShouldContain("false");
        File.Exists(Path.Combine(server.Disk, "people", "ada.json")).ShouldBeFalse();
        (await Call("get", "ada")).Status.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Protocol_EachVariant_Reported()
    {
        foreach (var variant in new[] { "ftp", "ftps", "sftp-key" })
        {
            // Arrange
            var (server, files) = await ServiceAsync(variant);

            // Act
            var (status, body) = await files.CallAsync("put", "p.txt", [1]);

            // Assert
            status.ShouldBe(HttpStatusCode.OK, body);
            JsonDocument.Parse(body).RootElement.GetProperty("protocol").GetString().ShouldBe(server.Protocol);
        }
    }

    private async Task<(FileServer Server, FileTransferEndpoint Files)> ServiceAsync(string variant, string? folder = null)
    {
        var server = Track(FileServer.Create(variant, folder));
        var name = Unique.Name(variant);
        await _edge.Admin.CreateServiceAsync(server.Body(name));
        return (server, await FileTransferEndpoint.DeployAsync(_edge, name));
    }

    public void Dispose()
    {
        foreach (var server in _servers)
        {
            server.Delete();
        }
    }

    private FileServer Track(FileServer server)
    {
        _servers.Add(server);
        return server;
    }
}
