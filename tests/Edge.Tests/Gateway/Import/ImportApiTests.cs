using System.Net;
using System.Text.Json;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Import;

[Collection(GatewayCollection.Name)]
public sealed class ImportApiTests(GatewayFixture fixture)
{
    private const string Orders = """
        openapi: 3.0.3
        info:
          title: Orders
          version: "2.1"
          description: Orders of a small shop
        servers:
          - url: https://shop.example.com/api/v2
        paths:
          /orders:
            get:
              operationId: listOrders
              summary: List orders
              parameters:
                - name: limit
                  in: query
                  schema: { type: integer, minimum: 1, maximum: 100 }
                - name: status
                  in: query
                  schema: { $ref: '#/components/schemas/Status' }
              responses:
                '200':
                  description: the orders
                  content:
                    application/json:
                      example: [{ id: 7, item: widget, quantity: 2, status: placed }]
            post:
              operationId: create_order
              requestBody:
                required: true
                content:
                  application/json:
                    schema: { $ref: '#/components/schemas/NewOrder' }
              responses:
                '201':
                  description: created
                  content:
                    application/json:
                      schema: { $ref: '#/components/schemas/Order' }
          /orders/{orderId}:
            parameters:
              - name: orderId
                in: path
                required: true
                schema: { type: integer, format: int64 }
            get:
              operationId: getOrder
              responses:
                '200':
                  description: one order
                  content:
                    application/json:
                      schema: { $ref: '#/components/schemas/Order' }
                '404':
                  description: not found
            delete:
              operationId: deleteOrder
              responses:
                '204':
                  description: deleted
        components:
          schemas:
            Status:
              type: string
              enum: [placed, paid, shipped]
            NewOrder:
              type: object
              additionalProperties: false
              required: [item, quantity]
              properties:
                item: { type: string, minLength: 1 }
                quantity: { type: integer, minimum: 1 }
                note: { type: string, nullable: true }
            Order:
              allOf:
                - $ref: '#/components/schemas/NewOrder'
                - type: object
                  required: [id]
                  properties:
                    id: { type: integer, example: 42 }
                    status: { $ref: '#/components/schemas/Status' }
        """;

    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly HttpClient _gateway = fixture.Edge.Gateway;

    [Fact]
    public async Task ImportOpenApi_Orders_CreatesOneEndpointPerOperationUnderTheServerBasePath()
    {
        // Arrange
        var host = Unique.Host();

        // Act
        var response = await _admin.ImportSpecAsync(Orders, host, new { compile = true, start = true });

        // Assert
        response.ShouldSucceed();
        var data = response.Data;
        data.Num("endpoints_created").ShouldBe(4);
        data.Num("endpoints_updated").ShouldBe(0);
        data.Num("compiled").ShouldBe(4);
        data.Num("started").ShouldBe(4);
        data.GetProperty("errors").GetArrayLength().ShouldBe(0, response.ToString());
        var endpoints = data.GetProperty("endpoints").EnumerateArray()
            .Select(e => $"{e.Str("method")} {e.Str("path")} {e.Str("name")} {e.Str("status")}").Order().ToList();
        endpoints.ShouldBe(
        [
            "DELETE /api/v2/orders/{orderId} deleteOrder running",
            "GET /api/v2/orders listOrders running",
            "GET /api/v2/orders/{orderId} getOrder running",
            "POST /api/v2/orders create_order running",
        ]);
        var stored = (await _admin.GetApiAsync($"/api/endpoints?domain={host}")).ShouldSucceed().Items;
        stored.Single(e => e.Str("name") == "listOrders").Str("description").ShouldBe("List orders");
        stored.ShouldAllBe(e => e.GetProperty("validate_requests").GetBoolean());
        stored.Single(e => e.Str("name") == "getOrder").GetProperty("openapi").GetProperty("operation").Str("operationId").ShouldBe("getOrder");
    }

    [Fact]
    public async Task ImportOpenApi_GeneratedHandlers_AnswerWithTheSpecsExamples()
    {
        // Arrange
        var host = Unique.Host();
        (await _admin.ImportSpecAsync(Orders, host, new { start = true })).ShouldSucceed();

        // Act
        using var list = await _gateway.SendWithHostAsync(HttpMethod.Get, "/api/v2/orders", host);
        using var one = await _gateway.SendWithHostAsync(HttpMethod.Get, "/api/v2/orders/7", host);
        using var delete = await _gateway.SendWithHostAsync(HttpMethod.Delete, "/api/v2/orders/7", host);

        // Assert: the media type's example as written; the schema's own example for a built one.
        list.StatusCode.ShouldBe(HttpStatusCode.OK, await list.DescribeAsync());
        list.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        var listed = await list.JsonAsync();
        listed[0].Num("id").ShouldBe(7);
        listed[0].Str("item").ShouldBe("widget");
        one.StatusCode.ShouldBe(HttpStatusCode.OK, await one.DescribeAsync());
        var order = await one.JsonAsync();
        order.Num("id").ShouldBe(42);
        order.TryGetProperty("item", out _).ShouldBeTrue(order.ToString());
        delete.StatusCode.ShouldBe(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task ImportOpenApi_InvalidRequests_Get400ListingEveryProblemBeforeTheHandler()
    {
        // Arrange
        var host = Unique.Host();
        (await _admin.ImportSpecAsync(Orders, host, new { start = true })).ShouldSucceed();

        // Act
        using var badQuery = await _gateway.SendWithHostAsync(HttpMethod.Get, "/api/v2/orders?limit=500&status=lost", host);
        using var badPath = await _gateway.SendWithHostAsync(HttpMethod.Get, "/api/v2/orders/seven", host);
        using var badBody = await SendWithHostAsync(HttpMethod.Post, "/api/v2/orders", host, """{"quantity": 0, "colour": "red"}""");
        using var good = await SendWithHostAsync(HttpMethod.Post, "/api/v2/orders", host, """{"item": "widget", "quantity": 3, "note": null}""");

        // Assert
        var query = await badQuery.ShouldBeGatewayErrorAsync(HttpStatusCode.BadRequest);
        Problems(query).ShouldBe(["query /limit", "query /status"], ignoreOrder: true);
        var path = await badPath.ShouldBeGatewayErrorAsync(HttpStatusCode.BadRequest);
        Problems(path).ShouldBe(["path /orderId"]);
        var body = await badBody.ShouldBeGatewayErrorAsync(HttpStatusCode.BadRequest);
        Problems(body).ShouldBe(["body ", "body /quantity", "body /colour"], ignoreOrder: true);
        body.GetProperty("problems").EnumerateArray().Select(p => p.Str("message")).ShouldContain(m => m.Contains("item"), body.ToString());
        good.StatusCode.ShouldBe(HttpStatusCode.Created, await good.DescribeAsync());
    }

    [Fact]
    public async Task ImportOpenApi_ValidateFalse_LetsAnyRequestThrough()
    {
        // Arrange
        var host = Unique.Host();
        (await _admin.ImportSpecAsync(Orders, host, new { start = true, validate = false })).ShouldSucceed();

        // Act
        using var response = await _gateway.SendWithHostAsync(HttpMethod.Get, "/api/v2/orders/seven", host);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
    }

    [Fact]
    public async Task ImportOpenApi_SecondTime_UpdatesTheSameEndpointsAndKeepsEditedCode()
    {
        // Arrange
        var host = Unique.Host();
        var first = (await _admin.ImportSpecAsync(Orders, host, new { start = true })).ShouldSucceed();
        var ids = first.Data.GetProperty("endpoints").EnumerateArray().ToDictionary(e => e.Str("name"), e => e.Str("id"));
        const string Edited = "Response Handle(Context ctx, Request req) => Response.Text(200, \"edited\");";
        (await _admin.UpdateEndpointAsync(ids["getOrder"], new { code = Edited })).ShouldSucceed();
        (await _admin.PostApiAsync($"/api/endpoints/{ids["getOrder"]}/deploy")).ShouldSucceed();
        var changed = Orders.Replace("example: [{ id: 7,", "example: [{ id: 8,", StringComparison.Ordinal);

        // Act
        var second = await _admin.ImportSpecAsync(changed, host, new { start = true });

        // Assert
        second.ShouldSucceed();
        second.Data.Num("endpoints_created").ShouldBe(0);
        second.Data.Num("endpoints_updated").ShouldBe(4);
        second.Data.GetProperty("endpoints").EnumerateArray().ToDictionary(e => e.Str("name"), e => e.Str("id")).ShouldBe(ids);
        (await _admin.GetApiAsync($"/api/endpoints/{ids["getOrder"]}")).ShouldSucceed().Data.Str("code").ShouldBe(Edited);
        using var edited = await _gateway.SendWithHostAsync(HttpMethod.Get, "/api/v2/orders/1", host);
        (await edited.Content.ReadAsStringAsync()).ShouldBe("edited");

        // Generated code nobody edited follows the spec: the new example is served after the swap.
        using var list = await _gateway.SendWithHostAsync(HttpMethod.Get, "/api/v2/orders", host);
        (await list.JsonAsync())[0].Num("id").ShouldBe(8);
        (await _admin.GetApiAsync($"/api/endpoints?domain={host}")).ShouldSucceed().Items.Count.ShouldBe(4);
    }

    [Fact]
    public async Task ImportOpenApi_OneBadOperation_ImportsNothingUnlessPartial()
    {
        // Arrange
        var host = Unique.Host();
        var broken = Orders.Replace("schema: { $ref: '#/components/schemas/NewOrder' }", "schema: { $ref: '#/components/schemas/Missing' }", StringComparison.Ordinal);

        // Act
        var strict = await _admin.ImportSpecAsync(broken, host, new { compile = true });
        var afterStrict = (await _admin.GetApiAsync($"/api/endpoints?domain={host}")).ShouldSucceed().Items.Count;
        var partial = await _admin.ImportSpecAsync(broken, host, new { partial = true });

        // Assert
        strict.ShouldFail(HttpStatusCode.BadRequest);
        strict.Error!.ShouldContain("nothing was imported");
        strict.Error!.ShouldContain("#/components/schemas/Missing");
        var error = strict.Data.GetProperty("errors").EnumerateArray().Single();
        error.Str("operation").ShouldBe("create_order");
        error.Str("pointer").ShouldBe("/paths/~1orders/post/requestBody/content/application~1json/schema/$ref");
        afterStrict.ShouldBe(0);
        partial.ShouldSucceed();
        partial.Data.Num("endpoints_created").ShouldBe(3);
        partial.Data.GetProperty("errors").GetArrayLength().ShouldBe(1);
    }

    [Theory]
    [InlineData("openapi: 3.0.0\ninfo: {title: x, version: '1'}\npaths:\n  /a:\n    get: {responses: {'200': {description: ok}}\n", "YAML syntax error at 6:1")]
    [InlineData("openapi: 3.0.0\ninfo: {title: x, version: '1'}\ninfo: {title: y, version: '2'}\npaths: {}\n", "duplicate")]
    [InlineData("{\"openapi\": \"3.1.0\", \"paths\": {}, \"paths\": {}}", "duplicate")]
    [InlineData("title: not a spec\n", "not an OpenAPI document")]
    [InlineData("openapi: 4.0.0\npaths: {}\n", "not supported")]
    [InlineData("swagger: '1.2'\npaths: {}\n", "not supported")]
    public async Task ImportOpenApi_UnreadableSpec_Returns400AndChangesNothing(string spec, string expected)
    {
        // Arrange
        var host = Unique.Host();

        // Act
        var response = await _admin.ImportSpecAsync(spec, host);

        // Assert
        response.ShouldFail(HttpStatusCode.BadRequest);
        response.Error!.ShouldContain(expected, Case.Insensitive);
        (await _admin.GetApiAsync($"/api/endpoints?domain={host}")).ShouldSucceed().Items.Count.ShouldBe(0);
    }

    [Fact]
    public async Task ImportOpenApi_BadOptions_Return400Or404()
    {
        // Act
        var noDomain = await _admin.ImportSpecAsync(Orders, null);
        var badDomain = await _admin.ImportSpecAsync(Orders, "not a host!");
        var unknownCollection = await _admin.ImportSpecAsync(Orders, Unique.Host(), new { collection_id = "00000000-0000-0000-0000-000000000000" });
        var noDomainForCollection = await _admin.ImportSpecAsync(Orders, Unique.Host(), new { create_collection = true });
        var wrongType = await _admin.ImportSpecAsync(Orders, Unique.Host(), new { compile = "yes" });

        // Assert
        noDomain.ShouldFail(HttpStatusCode.BadRequest).Error!.ShouldContain("domain");
        badDomain.ShouldFail(HttpStatusCode.BadRequest).Error!.ShouldContain("domain");
        unknownCollection.ShouldFail(HttpStatusCode.NotFound);
        noDomainForCollection.ShouldFail(HttpStatusCode.BadRequest).Error!.ShouldContain("domain_id");
        wrongType.ShouldFail(HttpStatusCode.BadRequest).ShouldNameFields("compile");
    }

    [Fact]
    public async Task ImportOpenApi_CreateCollection_MadeFromInfoAndReusedOnReimport()
    {
        // Arrange
        var host = Unique.Host();
        var domainId = (await _admin.CreateDomainAsync(Unique.Name("dom"), host)).ShouldSucceed().Id;

        // Act
        var first = await _admin.ImportSpecAsync(Orders, host, new { domain_id = domainId, create_collection = true });
        var second = await _admin.ImportSpecAsync(Orders, host, new { domain_id = domainId, create_collection = true });

        // Assert
        var collection = first.ShouldSucceed().Data.GetProperty("collection");
        collection.Str("name").ShouldBe("Orders");
        collection.Str("base_path").ShouldBe("/api/v2");
        second.ShouldSucceed().Data.GetProperty("collection").Str("id").ShouldBe(collection.Str("id"));
        (await _admin.GetApiAsync($"/api/domains/{domainId}/collections")).ShouldSucceed().Items.Count.ShouldBe(1);
        (await _admin.GetApiAsync($"/api/collections/{collection.Str("id")}/endpoints")).ShouldSucceed().Items.Count.ShouldBe(4);
    }

    [Fact]
    public async Task ImportOpenApi_DryRun_ReportsThePlanAndWritesNothing()
    {
        // Arrange
        var host = Unique.Host();

        // Act
        var response = await _admin.ImportSpecAsync(Orders, host, new { dry_run = true });

        // Assert
        response.ShouldSucceed().Data.Bool("dry_run").ShouldBeTrue();
        response.Data.Num("endpoints_created").ShouldBe(4);
        (await _admin.GetApiAsync($"/api/endpoints?domain={host}")).ShouldSucceed().Items.Count.ShouldBe(0);
    }

    [Theory]
    [InlineData("petstore.yaml", 3)]
    [InlineData("petstore-expanded.yaml", 4)]
    [InlineData("api-with-examples.yaml", 2)]
    [InlineData("callback-example.yaml", 1)]
    [InlineData("link-example.yaml", 6)]
    [InlineData("uspto.yaml", 3)]
    [InlineData("swagger2-petstore.yaml", 3)]
    [InlineData("swagger2-petstore-expanded.json", 4)]
    [InlineData("shared-petstore.yaml", 3)]
    [InlineData("webhook-example.yaml", 1)]
    [InlineData("non-oauth-scopes.json", 1)]
    public async Task ImportOpenApi_PublicSpec_EveryOperationImportedCompiledAndAnswering(string file, int operations)
    {
        // Arrange
        var host = Unique.Host();

        // Act
        var response = await _admin.ImportSpecAsync(ImportApi.Spec(file), host, new { compile = true, start = true });

        // Assert
        response.ShouldSucceed();
        response.Data.GetProperty("errors").GetArrayLength().ShouldBe(0, response.ToString());
        var endpoints = response.Data.GetProperty("endpoints").EnumerateArray().ToList();
        endpoints.Count.ShouldBe(operations, response.ToString());
        endpoints.ShouldAllBe(e => e.Str("status") == "running");
        foreach (var get in endpoints.Where(e => e.Str("method") == "GET" && !e.Str("path").Contains('{')))
        {
            // A generated mock answers a request without parameters (or 400 naming a required one it lacks).
            using var answer = await _gateway.SendWithHostAsync(HttpMethod.Get, get.Str("path"), host);
            ((int)answer.StatusCode).ShouldBeOneOf([200, 201, 202, 203, 204, 206, 400], $"{file} {get.Str("path")}: {await answer.DescribeAsync()}");
        }
    }

    [Fact]
    public async Task ImportOpenApi_Webhooks_AreNotImportedAndTheWarningSaysWhy()
    {
        // Act
        var response = await _admin.ImportSpecAsync(ImportApi.Spec("webhook-example.yaml"), Unique.Host());

        // Assert
        response.ShouldSucceed();
        response.Data.Num("endpoints_created").ShouldBe(1);
        response.Data.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()).ShouldContain(w => w!.Contains("webhooks"));
    }

    private static List<string> Problems(JsonElement error) =>
        [.. error.GetProperty("problems").EnumerateArray().Select(p => $"{p.Str("in")} {p.Str("pointer")}")];

    private Task<HttpResponseMessage> SendWithHostAsync(HttpMethod method, string path, string host, string json)
    {
        var request = new HttpRequestMessage(method, path) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Host = host;
        return _gateway.SendAsync(request);
    }
}
