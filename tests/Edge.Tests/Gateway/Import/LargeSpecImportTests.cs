using System.Globalization;
using System.Net;
using System.Text;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Import;

/// <summary>A generated spec with 1,000 operations: imported whole, compiled in parallel, every route served.</summary>
public sealed class LargeSpecImportTests
{
    /// <summary>A spec of <paramref name="resources"/> × 2 operations (list + create), sharing component schemas.</summary>
    public static string Generate(int resources)
    {
        var spec = new StringBuilder("""
            openapi: 3.0.3
            info: { title: Generated, version: "1.0" }
            servers: [{ url: /big }]
            components:
              schemas:
                Item:
                  type: object
                  required: [id, name]
                  properties:
                    id: { type: integer, format: int64 }
                    name: { type: string, maxLength: 64 }
                    tags: { type: array, items: { type: string } }
            paths:

            """);
        for (var i = 0; i < resources; i++)
        {
            var n = i.ToString(CultureInfo.InvariantCulture);
            spec.Append(CultureInfo.InvariantCulture, $$"""
                  /r{{n}}/items:
                    get:
                      operationId: listItems{{n}}
                      parameters: [{ name: limit, in: query, schema: { type: integer, maximum: 100 } }]
                      responses:
                        '200':
                          description: ok
                          content:
                            application/json:
                              example: [{ id: {{n}}, name: item{{n}} }]
                    post:
                      operationId: createItem{{n}}
                      requestBody:
                        required: true
                        content: { application/json: { schema: { $ref: '#/components/schemas/Item' } } }
                      responses:
                        '201':
                          description: created
                          content: { application/json: { schema: { $ref: '#/components/schemas/Item' } } }

                """);
        }

        return spec.ToString();
    }

    [Fact]
    public async Task ImportOpenApi_ThousandOperations_AllCreatedCompiledStartedAndServing()
    {
        // Arrange
        await using var edge = await EdgeProcess.StartAsync();
        var host = Unique.Host();
        var spec = Generate(500);

        // Act: the import itself, then compile and start of every generated handler.
        var imported = await edge.Admin.ImportSpecAsync(spec, host);
        var started = await edge.Admin.ImportSpecAsync(spec, host, new { start = true });

        // Assert
        imported.ShouldSucceed().Data.Num("endpoints_created").ShouldBe(1000);
        started.ShouldSucceed().Data.Num("endpoints_updated").ShouldBe(1000);
        started.Data.Num("compiled").ShouldBe(1000);
        started.Data.Num("started").ShouldBe(1000);
        started.Data.GetProperty("errors").GetArrayLength().ShouldBe(0);
        foreach (var i in new[] { 0, 1, 250, 499 })
        {
            using var list = await edge.Gateway.SendWithHostAsync(HttpMethod.Get, $"/big/r{i}/items", host);
            list.StatusCode.ShouldBe(HttpStatusCode.OK, await list.DescribeAsync());
            (await list.JsonAsync())[0].Num("id").ShouldBe(i);
        }

        using var invalid = await edge.Gateway.SendWithHostAsync(HttpMethod.Get, "/big/r7/items?limit=1000", host);
        invalid.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }
}
