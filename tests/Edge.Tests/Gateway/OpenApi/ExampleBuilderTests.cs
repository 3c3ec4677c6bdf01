using System.Diagnostics;
using System.Text.Json.Nodes;
using Edge.Gateway.OpenApi;

namespace Edge.Tests.Gateway.OpenApi;

public sealed class ExampleBuilderTests
{
    private static string Example(string schema, string? components = null) =>
        Json(ExampleBuilder.FromSchema(JsonNode.Parse(schema), components is null ? null : JsonNode.Parse(components)!.AsObject()));

    private static string Json(JsonNode? node) => node?.ToJsonString() ?? "null";

    [Theory]
    [InlineData("""{"type":"integer","example":7,"examples":[8],"default":9,"enum":[10]}""", "7")]
    [InlineData("""{"type":"integer","examples":[8,11],"default":9,"enum":[10]}""", "8")]
    [InlineData("""{"type":"integer","default":9,"const":12,"enum":[10]}""", "9")]
    [InlineData("""{"type":"integer","const":12,"enum":[10]}""", "12")]
    [InlineData("""{"type":"string","enum":["b","a"]}""", "\"b\"")]
    [InlineData("""{"type":["string","null"],"enum":[null,"x"]}""", "\"x\"")]
    [InlineData("""{"type":"string","example":null,"default":"d"}""", "\"d\"")]
    [InlineData("""{"type":"object","example":{"id":1},"properties":{"name":{"type":"string"}}}""", """{"id":1}""")]
    public void FromSchema_OwnExamples_TakenInPrecedence(string schema, string expected)
    {
        // Act
        var example = Example(schema);

        // Assert
        example.ShouldBe(expected);
    }

    [Theory]
    [InlineData("date-time", "2024-01-15T10:30:00Z")]
    [InlineData("date", "2024-01-15")]
    [InlineData("uuid", "3fa85f64-5717-4562-b3fc-2c963f66afa6")]
    [InlineData("email", "user@example.com")]
    [InlineData("uri", "https://example.com")]
    [InlineData("ipv4", "192.0.2.1")]
    [InlineData("ipv6", "2001:db8::1")]
    [InlineData("hostname", "example.com")]
    [InlineData("byte", "ZXhhbXBsZQ==")]
    [InlineData("no-such-format", "string")]
    public void FromSchema_StringFormat_GivesAValueOfThatFormat(string format, string expected)
    {
        // Act
        var example = ExampleBuilder.FromSchema(new JsonObject { ["type"] = "string", ["format"] = format }, null);

        // Assert
        example!.GetValue<string>().ShouldBe(expected);
    }

    [Theory]
    [InlineData("""{"type":"string","minLength":10}""", "\"stringstri\"")]
    [InlineData("""{"type":"string","maxLength":3}""", "\"str\"")]
    [InlineData("""{"type":"integer"}""", "0")]
    [InlineData("""{"type":"integer","minimum":5,"maximum":10}""", "5")]
    [InlineData("""{"type":"integer","exclusiveMinimum":5}""", "6")]
    [InlineData("""{"type":"integer","minimum":5,"exclusiveMinimum":true}""", "6")]
    [InlineData("""{"type":"integer","maximum":-3}""", "-3")]
    [InlineData("""{"type":"integer","minimum":3,"multipleOf":5}""", "5")]
    [InlineData("""{"type":"number","exclusiveMinimum":0,"exclusiveMaximum":1}""", "0.5")]
    [InlineData("""{"type":"number","minimum":1.5}""", "1.5")]
    [InlineData("""{"type":"boolean"}""", "true")]
    [InlineData("""{"type":["null","integer"]}""", "0")]
    [InlineData("""{"type":"null"}""", "null")]
    [InlineData("""{"minimum":2}""", "2")]
    public void FromSchema_ScalarType_RespectsBounds(string schema, string expected)
    {
        // Act
        var example = Example(schema);

        // Assert
        example.ShouldBe(expected);
    }

    [Theory]
    [InlineData("""{"type":"array","items":{"type":"integer"}}""", "[0]")]
    [InlineData("""{"type":"array","items":{"type":"boolean"},"minItems":3}""", "[true,true,true]")]
    [InlineData("""{"type":"array","items":{"type":"integer"},"maxItems":0}""", "[]")]
    [InlineData("""{"type":"array","prefixItems":[{"type":"string"},{"type":"integer"}]}""", """["string",0]""")]
    public void FromSchema_Array_OneItemOrMinItems(string schema, string expected)
    {
        // Act
        var example = Example(schema);

        // Assert
        example.ShouldBe(expected);
    }

    [Fact]
    public void FromSchema_Object_EveryPropertyButWriteOnly()
    {
        // Arrange
        const string Schema = """
            {"type":"object","properties":{
              "id":{"type":"integer","readOnly":true},
              "password":{"type":"string","writeOnly":true},
              "tags":{"type":"array","items":{"type":"string"}},
              "meta":{"type":"object","additionalProperties":{"type":"integer"}}}}
            """;

        // Act
        var example = Example(Schema);

        // Assert
        example.ShouldBe("""{"id":0,"tags":["string"],"meta":{"additionalProp1":0}}""");
    }

    [Fact]
    public void FromSchema_NestedRefs_FollowedIntoComponents()
    {
        // Arrange
        const string Components = """
            {"schemas":{
              "Pet":{"type":"object","required":["id"],"properties":{"id":{"type":"integer","format":"int64"},"category":{"$ref":"#/components/schemas/Category"}}},
              "Category":{"type":"object","properties":{"name":{"type":"string","example":"dogs"},"since":{"type":"string","format":"date"}}}}}
            """;

        // Act
        var example = Example("""{"type":"array","items":{"$ref":"#/components/schemas/Pet"}}""", Components);

        // Assert
        example.ShouldBe("""[{"id":0,"category":{"name":"dogs","since":"2024-01-15"}}]""");
    }

    [Fact]
    public void FromSchema_RecursiveSchema_StopsAtTheCycle()
    {
        // Arrange: an optional self reference is left out, a required one is null, an array of itself is empty.
        const string Components = """
            {"schemas":{"Node":{"type":"object","required":["name","children","owner"],"properties":{
              "name":{"type":"string"},
              "children":{"type":"array","items":{"$ref":"#/components/schemas/Node"}},
              "parent":{"$ref":"#/components/schemas/Node"},
              "owner":{"$ref":"#/components/schemas/Node"}}}}}
            """;

        // Act
        var example = Example("""{"$ref":"#/components/schemas/Node"}""", Components);

        // Assert
        example.ShouldBe("""{"name":"string","children":[],"owner":null}""");
    }

    [Theory]
    [InlineData("Expr", "4")]
    [InlineData("Sum", """{"left":4,"right":4}""")]
    public void FromSchema_MutualRecursionThroughOneOf_TakesTheAlternativeThatEnds(string name, string expected)
    {
        // Arrange
        const string Components = """
            {"schemas":{
              "Expr":{"oneOf":[{"$ref":"#/components/schemas/Sum"},{"type":"integer","example":4}]},
              "Sum":{"type":"object","required":["left","right"],"properties":{"left":{"$ref":"#/components/schemas/Expr"},"right":{"$ref":"#/components/schemas/Expr"}}}}}
            """;

        // Act
        var example = Example($$"""{"$ref":"#/components/schemas/{{name}}"}""", Components);

        // Assert
        example.ShouldBe(expected);
    }

    [Fact]
    public void FromSchema_AllOf_MergesTheObjects()
    {
        // Arrange
        const string Components = """
            {"schemas":{"Base":{"type":"object","properties":{"id":{"type":"integer"},"kind":{"type":"string","example":"base"}}}}}
            """;
        const string Schema = """
            {"allOf":[{"$ref":"#/components/schemas/Base"},{"type":"object","properties":{"kind":{"type":"string","example":"cat"},"lives":{"type":"integer","minimum":9}}}],
             "properties":{"name":{"type":"string"}}}
            """;

        // Act
        var example = Example(Schema, Components);

        // Assert
        JsonNode.DeepEquals(JsonNode.Parse(example), JsonNode.Parse("""{"name":"string","id":0,"kind":"cat","lives":9}""")).ShouldBeTrue(example);
    }

    [Theory]
    [InlineData("""{"oneOf":[{"type":"string","format":"email"},{"type":"integer"}]}""", "\"user@example.com\"")]
    [InlineData("""{"anyOf":[{"type":"null"},{"type":"boolean"}]}""", "true")]
    [InlineData("""{"oneOf":[{"type":"null"}]}""", "null")]
    public void FromSchema_OneOfOrAnyOf_FirstNonNullAlternative(string schema, string expected)
    {
        // Act
        var example = Example(schema);

        // Assert
        example.ShouldBe(expected);
    }

    [Fact]
    public void FromSchema_DeepChainOfRefs_StopsAtTheDepthCap()
    {
        // Arrange: L0 -> L1 -> ... -> L199, all required, none recursive.
        var schemas = new JsonObject();
        for (var i = 0; i < 200; i++)
        {
            schemas[$"L{i}"] = JsonNode.Parse("""{"type":"object","required":["next"],"properties":{"next":{"$ref":"#/components/schemas/L""" + (i + 1) + "\"}}}");
        }

        // Act
        var example = ExampleBuilder.FromSchema(JsonNode.Parse("""{"$ref":"#/components/schemas/L0"}"""), new JsonObject { ["schemas"] = schemas });

        // Assert
        var depth = 0;
        for (var node = example; node is JsonObject obj; node = obj["next"])
        {
            depth++;
        }

        depth.ShouldBeInRange(5, 50);
    }

    [Fact]
    public void FromSchema_WideAndDeepSchema_WorkIsBounded()
    {
        // Arrange: ten levels of twenty properties each would be 20^10 values if expanded in full.
        var schemas = new JsonObject();
        for (var level = 0; level < 10; level++)
        {
            var properties = new JsonObject();
            for (var p = 0; p < 20; p++)
            {
                properties[$"p{p}"] = JsonNode.Parse($$"""{"$ref":"#/components/schemas/W{{level + 1}}"}""");
            }

            schemas[$"W{level}"] = new JsonObject { ["type"] = "object", ["properties"] = properties };
        }

        schemas["W10"] = JsonNode.Parse("""{"type":"string"}""");
        var started = Stopwatch.StartNew();

        // Act
        var example = ExampleBuilder.FromSchema(JsonNode.Parse("""{"$ref":"#/components/schemas/W0"}"""), new JsonObject { ["schemas"] = schemas });

        // Assert
        example.ShouldBeOfType<JsonObject>();
        example.ToJsonString().Length.ShouldBeLessThan(200_000);
        started.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData("""{"$ref":"#/components/schemas/Missing"}""")]
    [InlineData("""{"$ref":"https://example.com/schema.json"}""")]
    [InlineData("true")]
    [InlineData("{}")]
    public void FromSchema_NothingToGoOn_Null(string schema)
    {
        // Act
        var example = ExampleBuilder.FromSchema(JsonNode.Parse(schema), new JsonObject { ["schemas"] = new JsonObject() });

        // Assert
        example.ShouldBeNull();
    }

    [Fact]
    public void FromSchema_ExampleFromTheSpec_IsACopy()
    {
        // Arrange
        var schema = JsonNode.Parse("""{"type":"object","example":{"id":1}}""")!;

        // Act
        var example = ExampleBuilder.FromSchema(schema, null)!.AsObject();
        example["id"] = 2;

        // Assert
        schema["example"]!["id"]!.GetValue<int>().ShouldBe(1);
    }
}
