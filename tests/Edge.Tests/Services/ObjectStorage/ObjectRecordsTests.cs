using System.Net;
using System.Text.Json;
using Edge.Tests.Common;

namespace Edge.Tests.Services.ObjectStorage;

/// <summary><c>ctx.Records(name, prefix)</c> over S3: one <c>{prefix}/{id}.json</c> object per document.</summary>
[Collection(S3Collection.Name)]
public sealed class ObjectRecordsTests(S3Fixture s3)
{
    [Fact]
    public async Task Records_CreateGetListUpdateDelete_StoreHoldsOneJsonObjectPerDocument()
    {
        // Arrange
        var prefix = S3Fixture.Prefix() + "pets";
        var code = $$"""
            async Task<Response> Handle(Context ctx, Request req)
            {
                var pets = ctx.Records("{{s3.Service}}", "{{prefix}}");
                await pets.CreateAsync("rex", new { name = "Rex", status = "available" });
                await pets.CreateAsync("tom", new { name = "Tom", status = "sold" });
                await pets.CreateAsync("rexette", new { name = "Rexette", status = "available" });
                async Task<int> Status(Func<Task> op) { try { await op(); return 200; } catch (HandlerError e) { return e.StatusCode; } }
                var duplicate = await Status(() => pets.CreateAsync("rex", new { name = "again" }));
                var updateMissing = await Status(() => pets.UpdateAsync("nobody", new { name = "x" }));
                await pets.UpdateAsync("tom", new { name = "Tom", status = "available" });
                var got = await pets.GetAsync("tom");
                var all = await pets.ListAsync();
                var filtered = await pets.ListAsync("rex");
                var deleted = await pets.DeleteAsync("rexette");
                var deletedAgain = await pets.DeleteAsync("rexette");
                var gone = await pets.GetAsync("rexette");
                return Response.Ok(new
                {
                    duplicate,
                    updateMissing,
                    got,
                    all = all.Select(d => (string)d["id"]!).ToList(),
                    filtered = filtered.Select(d => (string)d["id"]!).ToList(),
                    deleted,
                    deletedAgain,
                    goneIsNull = gone is null,
                });
            }
            """;

        // Act
        using var response = await s3.RunAsync(code);

        // Assert: the handler's view
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
        var body = await response.JsonAsync();
        body.Num("duplicate").ShouldBe(409);
        body.Num("updateMissing").ShouldBe(404);
        body.GetProperty("got").Str("status").ShouldBe("available");
        body.GetProperty("all").EnumerateArray().Select(e => e.GetString()).ShouldBe(["rex", "rexette", "tom"]);
        body.GetProperty("filtered").EnumerateArray().Select(e => e.GetString()).ShouldBe(["rex", "rexette"]);
        body.Bool("deleted").ShouldBeTrue();
        body.Bool("deletedAgain").ShouldBeFalse();
        body.Bool("goneIsNull").ShouldBeTrue();

        // Assert: the store's view
        (await s3.KeysAsync(prefix + "/")).ShouldBe([prefix + "/rex.json", prefix + "/tom.json"]);
        var tom = (await s3.GetAsync(prefix + "/tom.json")).ShouldNotBeNull();
        tom.ContentType.ShouldBe("application/json");
        using var stored = JsonDocument.Parse(tom.Bytes);
        stored.RootElement.Str("id").ShouldBe("tom");
        stored.RootElement.Str("status").ShouldBe("available");
    }

    [Fact]
    public async Task Records_DocumentWrittenByTheStoresClient_ListedAndRead()
    {
        // Arrange
        var prefix = S3Fixture.Prefix() + "orders";
        await s3.PutAsync(prefix + "/o-1.json", """{"id":"o-1","total":42}""", "application/json");
        await s3.PutAsync(prefix + "/notes.txt", "not a record");
        var code = $$"""
            async Task<Response> Handle(Context ctx, Request req)
            {
                var orders = ctx.Records("{{s3.Service}}", "{{prefix}}");
                var all = await orders.ListAsync();
                return Response.Ok(new { count = all.Count, one = await orders.GetAsync("o-1") });
            }
            """;

        // Act
        using var response = await s3.RunAsync(code);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
        var body = await response.JsonAsync();
        body.Num("count").ShouldBe(1);
        body.GetProperty("one").Num("total").ShouldBe(42);
    }
}
