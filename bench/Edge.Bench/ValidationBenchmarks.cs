using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Edge.Gateway.OpenApi.Validation;
using Microsoft.AspNetCore.Http;

namespace Edge.Bench;

/// <summary>
/// <see cref="RequestValidator.Validate"/> on a typical POST: a ~1 KB JSON body (15 properties, a nested
/// object, an array of small objects behind a $ref, an enum, a pattern, formats), valid and invalid, and the
/// parameters of a GET (path, query, header). Issue target: under 20 µs added per request for the valid body.
/// The baseline is what any JSON endpoint pays anyway: parsing the same body into a JsonDocument.
/// The request objects are built once, so the query string is parsed on the first call only (as the
/// gateway's request does once per request, whoever reads it first).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class ValidationBenchmarks
{
    private const string Contract = """
        {
          "method": "POST", "path": "/stores/{storeId}/orders",
          "operation": {
            "parameters": [
              {"name": "storeId", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^[a-z0-9-]{3,32}$"}},
              {"name": "limit", "in": "query", "schema": {"type": "integer", "format": "int32", "minimum": 1, "maximum": 100}},
              {"name": "status", "in": "query", "schema": {"$ref": "#/components/schemas/Status"}},
              {"name": "tag", "in": "query", "schema": {"type": "array", "maxItems": 5, "items": {"type": "string", "minLength": 1}}},
              {"name": "X-Request-Id", "in": "header", "required": true, "schema": {"type": "string", "format": "uuid"}}
            ],
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Order"}}}}
          },
          "components": {"schemas": {
            "Status": {"type": "string", "enum": ["placed", "approved", "shipped", "delivered", "cancelled"]},
            "Order": {
              "type": "object", "additionalProperties": false,
              "required": ["id", "customerId", "status", "currency", "items", "shippingAddress", "createdAt"],
              "properties": {
                "id": {"type": "string", "format": "uuid"},
                "customerId": {"type": "integer", "format": "int64", "minimum": 1},
                "status": {"$ref": "#/components/schemas/Status"},
                "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
                "total": {"type": "number", "minimum": 0, "multipleOf": 0.01},
                "couponCode": {"type": ["string", "null"], "maxLength": 20},
                "email": {"type": "string", "format": "email"},
                "createdAt": {"type": "string", "format": "date-time"},
                "deliverBy": {"type": "string", "format": "date"},
                "gift": {"type": "boolean"},
                "priority": {"type": "integer", "minimum": 0, "maximum": 9},
                "notes": {"type": "string", "maxLength": 500},
                "channel": {"type": "string", "enum": ["web", "app", "store", "phone"]},
                "shippingAddress": {"$ref": "#/components/schemas/Address"},
                "items": {"type": "array", "minItems": 1, "maxItems": 100, "items": {"$ref": "#/components/schemas/Item"}}
              }
            },
            "Address": {
              "type": "object", "required": ["line1", "city", "country"],
              "properties": {
                "line1": {"type": "string", "minLength": 1, "maxLength": 100},
                "line2": {"type": "string", "maxLength": 100},
                "city": {"type": "string", "minLength": 1},
                "postcode": {"type": "string", "pattern": "^[A-Z0-9 -]{3,10}$"},
                "country": {"type": "string", "pattern": "^[A-Z]{2}$"}
              }
            },
            "Item": {
              "type": "object", "required": ["sku", "quantity", "price"],
              "properties": {
                "sku": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{4}$"},
                "quantity": {"type": "integer", "minimum": 1, "maximum": 1000},
                "price": {"type": "number", "exclusiveMinimum": 0},
                "name": {"type": "string", "maxLength": 80}
              }
            }
          }}
        }
        """;

    private const string ValidBody = """
        {
          "id": "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
          "customerId": 4815162342,
          "status": "placed",
          "currency": "EUR",
          "total": 149.97,
          "couponCode": null,
          "email": "jane.doe@example.com",
          "createdAt": "2025-03-14T09:26:53.589Z",
          "deliverBy": "2025-03-21",
          "gift": false,
          "priority": 3,
          "notes": "Please leave the parcel with the neighbour at number 12 if nobody answers the door.",
          "channel": "web",
          "shippingAddress": {"line1": "12 Rue de la Paix", "line2": "Apartment 4B", "city": "Paris", "postcode": "75002", "country": "FR"},
          "items": [
            {"sku": "ABC-1234", "quantity": 1, "price": 49.99, "name": "Wireless mouse"},
            {"sku": "DEF-5678", "quantity": 2, "price": 29.99, "name": "USB-C cable, 2 m"},
            {"sku": "GHI-9012", "quantity": 1, "price": 40.00, "name": "Laptop stand"},
            {"sku": "JKL-3456", "quantity": 3, "price": 4.99, "name": "Screen cleaning wipes"},
            {"sku": "MNO-7890", "quantity": 1, "price": 19.99, "name": "Keyboard wrist rest"}
          ]
        }
        """;

    // Seven problems: a bad format, enum and pattern, two bounds, a missing required property, an unknown one.
    private const string InvalidBody = """
        {
          "id": "not-a-uuid",
          "customerId": 0,
          "status": "lost",
          "currency": "euro",
          "total": 149.97,
          "couponCode": null,
          "email": "jane.doe@example.com",
          "createdAt": "2025-03-14T09:26:53.589Z",
          "deliverBy": "2025-03-21",
          "gift": false,
          "priority": 3,
          "notes": "Please leave the parcel with the neighbour at number 12 if nobody answers the door.",
          "channel": "web",
          "color": "red",
          "shippingAddress": {"line1": "12 Rue de la Paix", "line2": "Apartment 4B", "city": "Paris", "postcode": "75002"},
          "items": [
            {"sku": "ABC-1234", "quantity": 1, "price": 49.99, "name": "Wireless mouse"},
            {"sku": "DEF-5678", "quantity": 0, "price": 29.99, "name": "USB-C cable, 2 m"},
            {"sku": "GHI-9012", "quantity": 1, "price": 40.00, "name": "Laptop stand"},
            {"sku": "JKL-3456", "quantity": 3, "price": 4.99, "name": "Screen cleaning wipes"},
            {"sku": "MNO-7890", "quantity": 1, "price": 19.99, "name": "Keyboard wrist rest"}
          ]
        }
        """;

    private static readonly Dictionary<string, string> PathParameters = new() { ["storeId"] = "paris-opera" };

    private RequestValidator _validator = null!;
    private RequestValidator _parametersOnly = null!;
    private HttpRequest _bodyRequest = null!;
    private HttpRequest _parameterRequest = null!;
    private ReadOnlyMemory<byte> _validBody;
    private ReadOnlyMemory<byte> _invalidBody;

    [GlobalSetup]
    public void Setup()
    {
        _validator = RequestValidator.Build(JsonNode.Parse(Contract)!.AsObject());
        _validBody = Encoding.UTF8.GetBytes(ValidBody);
        _invalidBody = Encoding.UTF8.GetBytes(InvalidBody);

        // The body benchmarks carry valid parameters too: validation is one call per request.
        _bodyRequest = NewRequest("?limit=20", "application/json");
        _parameterRequest = NewRequest("?limit=20&status=shipped&tag=red&tag=blue", null);
        // The same contract with an optional body, so a GET without one is valid.
        _parametersOnly = RequestValidator.Build(JsonNode.Parse(Contract.Replace("\"required\": true, \"content\"", "\"required\": false, \"content\"", StringComparison.Ordinal))!.AsObject());

        Expect("the valid body", _validator.Validate(_bodyRequest, PathParameters, _validBody), 0);
        Expect("the invalid body", _validator.Validate(_bodyRequest, PathParameters, _invalidBody), 7);
        Expect("the parameters", _parametersOnly.Validate(_parameterRequest, PathParameters, ReadOnlyMemory<byte>.Empty), 0);
        if (_validBody.Length is < 900 or > 1300)
        {
            throw new InvalidOperationException($"the body is {_validBody.Length} bytes, not about 1 KB");
        }
    }

    /// <summary>What a JSON endpoint pays without validation: parsing the body.</summary>
    [Benchmark(Baseline = true)]
    public int ParseOnly1KB()
    {
        using var document = JsonDocument.Parse(_validBody);
        return document.RootElement.GetPropertyCount();
    }

    // ValidationProblem is internal, and a public benchmark cannot return it: the problem count stands in.
    [Benchmark]
    public int ValidBody1KB() => _validator.Validate(_bodyRequest, PathParameters, _validBody)?.Count ?? 0;

    [Benchmark]
    public int InvalidBody1KB() => _validator.Validate(_bodyRequest, PathParameters, _invalidBody)?.Count ?? 0;

    /// <summary>Five parameters (path pattern, int32 range, $ref enum, exploded array, header uuid), no body.</summary>
    [Benchmark]
    public int Parameters() => _parametersOnly.Validate(_parameterRequest, PathParameters, ReadOnlyMemory<byte>.Empty)?.Count ?? 0;

    private static void Expect(string what, IReadOnlyList<ValidationProblem>? problems, int count)
    {
        if ((problems?.Count ?? 0) != count)
        {
            throw new InvalidOperationException($"{what}: expected {count} problem(s), got: {string.Join("; ", problems ?? [])}");
        }
    }

    private static HttpRequest NewRequest(string query, string? contentType)
    {
        var http = new DefaultHttpContext();
        http.Request.Method = "POST";
        http.Request.QueryString = new QueryString(query);
        http.Request.ContentType = contentType;
        http.Request.Headers["X-Request-Id"] = "0f8fad5b-d9cb-469f-a165-70867728950e";
        return http.Request;
    }
}
