using System.Text;
using System.Text.Json.Nodes;
using Edge.Gateway.Handlers;
using Edge.Gateway.OpenApi;
using Edge.Sdk;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Tests.Gateway.OpenApi;

public sealed class MockHandlerGeneratorTests : IDisposable
{
    private const string PetComponents = """
        {"schemas":{
          "Pet":{"type":"object","required":["id","name"],"properties":{
            "id":{"type":"integer","format":"int64"},"name":{"type":"string"},"secret":{"type":"string","writeOnly":true}}},
          "NewPet":{"type":"object","properties":{"name":{"type":"string"}}}}}
        """;

    private readonly string _cacheDir = Path.Combine(Path.GetTempPath(), "edge-mockgen-" + Guid.NewGuid().ToString("N"));
    private readonly HandlerCompiler _compiler;

    public MockHandlerGeneratorTests() => _compiler = new HandlerCompiler(new CompileCache(_cacheDir), NullLogger<HandlerCompiler>.Instance);

    /// <summary>A contract whose operation has the given responses (JSON text) and optionally more operation fields.</summary>
    private static JsonObject Contract(string responses, string? extraOperation = null, string method = "GET", string path = "/pets/{petId}")
    {
        var operation = JsonNode.Parse(extraOperation ?? "{}")!.AsObject();
        operation["operationId"] ??= "showPetById";
        operation["summary"] ??= "Info for a specific pet";
        if (responses.Length > 0)
        {
            operation["responses"] = JsonNode.Parse(responses);
        }

        return new JsonObject
        {
            ["method"] = method,
            ["path"] = path,
            ["operation"] = operation,
            ["components"] = JsonNode.Parse(PetComponents),
        };
    }

    /// <summary>Compiles the generated source with the real compiler, loads it and calls it once.</summary>
    private async Task<Response> RunAsync(string source)
    {
        var compiled = _compiler.Compile(source, useCache: false);
        var version = HandlerVersion.Load("mock", 1, compiled);
        try
        {
            return await version.Invoke(new Context(), new Request("GET", "/pets/1"));
        }
        finally
        {
            version.Unload();
        }
    }

    /// <summary>Generates, runs, and checks the handler sends exactly what Describe reports.</summary>
    private async Task<MockResponse> GenerateAndRunAsync(JsonObject contract)
    {
        var expected = MockHandlerGenerator.Describe(contract);
        var response = await RunAsync(MockHandlerGenerator.Generate(contract));

        response.Status.ShouldBe(expected.Status);
        response.ResolveContentType().ShouldBe(expected.ContentType);
        if (expected.Body is null)
        {
            response.Body.ShouldBeNull();
        }
        else
        {
            response.Body.ShouldBeOfType<byte[]>().ShouldBe(Encoding.UTF8.GetBytes(expected.Body));
        }

        return expected;
    }

    [Fact]
    public void Describe_MediaExample_BeatsExamplesAndSchema()
    {
        // Arrange
        var contract = Contract("""
            {"200":{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/Pet"},
              "example":{"id":1,"name":"Rex"},"examples":{"one":{"value":{"id":2}}}}}}}
            """);

        // Act
        var mock = MockHandlerGenerator.Describe(contract);

        // Assert
        mock.ShouldBe(new MockResponse(200, "application/json", "{\n  \"id\": 1,\n  \"name\": \"Rex\"\n}"));
    }

    [Fact]
    public void Describe_NoExample_FirstExamplesValueSkippingExternalOnly()
    {
        // Arrange
        var contract = Contract("""
            {"200":{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/Pet"},
              "examples":{"far":{"externalValue":"https://example.com/pet.json"},"near":{"summary":"s","value":{"id":2}},"later":{"value":{"id":3}}}}}}}
            """);

        // Act
        var mock = MockHandlerGenerator.Describe(contract);

        // Assert
        mock.Body.ShouldBe("{\n  \"id\": 2\n}");
    }

    [Fact]
    public void Describe_NoExamples_BuiltFromSchemaWithoutWriteOnly()
    {
        // Arrange
        var contract = Contract("""{"200":{"content":{"application/json":{"schema":{"type":"array","items":{"$ref":"#/components/schemas/Pet"}}}}}}""");

        // Act
        var mock = MockHandlerGenerator.Describe(contract);

        // Assert
        JsonNode.DeepEquals(JsonNode.Parse(mock.Body!), JsonNode.Parse("""[{"id":0,"name":"string"}]""")).ShouldBeTrue(mock.Body);
    }

    [Fact]
    public void Describe_StringExampleHoldingJson_SentAsThatJson()
    {
        // Arrange: 3.0 specs often quote a JSON example as a string.
        var contract = Contract("""{"200":{"content":{"application/json":{"example":"{\"id\": 5}"}}}}""");

        // Act
        var mock = MockHandlerGenerator.Describe(contract);

        // Assert
        mock.Body.ShouldBe("{\n  \"id\": 5\n}");
    }

    [Theory]
    [InlineData("""{"201":{"content":{"application/json":{"example":{"ok":true}}}},"400":{"description":"bad"}}""", 201)]
    [InlineData("""{"202":{"description":"later"},"201":{"description":"made"},"default":{"description":"error"}}""", 201)]
    [InlineData("""{"2XX":{"content":{"application/json":{"example":{"ok":true}}}},"default":{"description":"error"}}""", 200)]
    [InlineData("""{"default":{"content":{"application/json":{"example":{"ok":true}}}},"404":{"description":"no"}}""", 200)]
    [InlineData("""{"204":{"description":"deleted"},"404":{"description":"no"}}""", 204)]
    public void Describe_Responses_LowestSuccessThen2XXThenDefault(string responses, int expected)
    {
        // Act
        var mock = MockHandlerGenerator.Describe(Contract(responses));

        // Assert
        mock.Status.ShouldBe(expected);
    }

    [Theory]
    [InlineData("""{"204":{"description":"gone","content":{"application/json":{"example":{"a":1}}}}}""", 204)]
    [InlineData("""{"200":{"description":"fine"}}""", 200)]
    [InlineData("""{"200":{"content":{"application/json":{}}}}""", 200)]
    [InlineData("""{"200":{"content":{"application/octet-stream":{"schema":{"type":"string","format":"binary"}}}}}""", 200)]
    [InlineData("", 200)]
    public void Describe_NothingToSend_StatusWithoutBody(string responses, int expected)
    {
        // Act
        var mock = MockHandlerGenerator.Describe(Contract(responses));

        // Assert
        mock.ShouldBe(new MockResponse(expected, null, null));
    }

    [Fact]
    public void Describe_OnlyErrorResponses_501SaysSo()
    {
        // Act
        var mock = MockHandlerGenerator.Describe(Contract("""{"404":{"description":"no"},"500":{"description":"broken"}}"""));

        // Assert
        mock.Status.ShouldBe(501);
        mock.ContentType.ShouldBe("application/json");
        JsonNode.Parse(mock.Body!)!["error"]!.GetValue<string>().ShouldContain("no success");
    }

    [Theory]
    [InlineData("""{"text/plain":{"example":"plain"},"application/json":{"example":{"a":1}}}""", "application/json", "{\n  \"a\": 1\n}")]
    [InlineData("""{"application/xml":{"example":"<a/>"},"text/plain":{"example":"plain"},"application/problem+json":{"example":{"p":1}}}""", "application/problem+json", "{\n  \"p\": 1\n}")]
    [InlineData("""{"application/xml":{"example":"<a/>"},"text/plain":{"example":"plain\ntext"}}""", "text/plain", "plain\ntext")]
    [InlineData("""{"text/csv":{"schema":{"type":"string"}}}""", "text/csv", "string")]
    [InlineData("""{"application/xml":{"example":"<pet id=\"1\"/>"}}""", "application/xml", "<pet id=\"1\"/>")]
    [InlineData("""{"application/json; charset=utf-8":{"example":[1]}}""", "application/json; charset=utf-8", "[\n  1\n]")]
    [InlineData("""{"*/*":{"example":{"a":1}}}""", "application/json", "{\n  \"a\": 1\n}")]
    public void Describe_MediaTypes_JsonThenPlusJsonThenTextThenFirst(string content, string contentType, string body)
    {
        // Arrange
        var contract = Contract($$$"""{"200":{"content":{{{content}}}}}""");

        // Act
        var mock = MockHandlerGenerator.Describe(contract);

        // Assert
        mock.ShouldBe(new MockResponse(200, contentType, body));
    }

    [Fact]
    public async Task Generate_JsonExample_CompilesAndAnswersTheExactBytes()
    {
        // Arrange
        var contract = Contract("""{"200":{"content":{"application/json":{"example":{"id":1,"name":"Rex","nested":{"tags":["a","{b}"]},"emoji":"🐶 é"}}}}}""");

        // Act
        var source = MockHandlerGenerator.Generate(contract);
        var mock = await GenerateAndRunAsync(contract);

        // Assert: characters outside the BMP go as JSON escapes, the rest as they are.
        mock.Body!.ShouldContain("\"emoji\": \"\\uD83D\\uDC36 é\"", Case.Sensitive);
        source.ShouldContain("\"\"\"\n{\n  \"id\": 1,");
        source.ShouldContain("Response.Binary(200, Example, \"application/json\")");
    }

    [Fact]
    public async Task Generate_JsonWithRunsOfQuotes_CompilesAndAnswersTheExactBytes()
    {
        // Arrange: empty strings and escaped quotes make runs of '"' in the JSON text.
        var contract = Contract("""{"201":{"content":{"application/json":{"example":{"":"","q":"\"\"\"\"\"","{":"}"}}}}}""");

        // Act
        var mock = await GenerateAndRunAsync(contract);

        // Assert
        mock.Status.ShouldBe(201);
        mock.Body!.ShouldContain("\"\": \"\"");
    }

    [Theory]
    [InlineData("\"\"\"quoted\"\"\" at the start and a long run at the end \"\"\"\"\"\"")]
    [InlineData("\"")]
    [InlineData("{ braces } and {{ doubled }} and $\"{interp}\" and \\u0022 and */ and // and #line 1")]
    [InlineData("ends with a newline\n")]
    [InlineData("\n\n  indented\n\tlines\n")]
    public async Task Generate_TextExampleThatFitsARawLiteral_AnsweredExactly(string text)
    {
        // Arrange
        var contract = Contract(new JsonObject { ["200"] = new JsonObject { ["content"] = new JsonObject { ["text/plain"] = new JsonObject { ["example"] = text } } } }.ToJsonString());

        // Act
        var source = MockHandlerGenerator.Generate(contract);
        var mock = await GenerateAndRunAsync(contract);

        // Assert
        mock.Body.ShouldBe(text);
        source.ShouldContain("\"\"\"\n");
    }

    [Theory]
    [InlineData("windows\r\nline ends")]
    [InlineData("a lone \r and a NUL \0 and a bell \a")]
    [InlineData("separators \u2028 \u2029 \u0085 and a bidi \u202E override and a BOM \uFEFF")]
    [InlineData("a lone surrogate \uD800 here")]
    [InlineData("")]
    public async Task Generate_TextARawLiteralWouldChange_StillAnsweredExactly(string text)
    {
        // Arrange
        var contract = Contract(new JsonObject { ["200"] = new JsonObject { ["content"] = new JsonObject { ["text/plain"] = new JsonObject { ["example"] = text } } } }.ToJsonString());

        // Act
        var mock = await GenerateAndRunAsync(contract);

        // Assert: a lone surrogate cannot be sent as UTF-8; it goes as U+FFFD, as any UTF-8 encoder would send it.
        mock.Body.ShouldBe(text.Replace('\uD800', '\uFFFD'));
    }

    [Fact]
    public async Task Generate_HostileSpecText_OnlyInCommentsAndStillCompiles()
    {
        // Arrange: summary, operationId, path, parameter name and media type all try to end the comment or the literal.
        const string Escape = "x\n} static int Evil() => 1; /* \"\"\"\"\" */ \r\n Response Handle(Context c, Request r) => null!; \u2028 // \\u000A";
        var contract = Contract(
            """{"200":{"content":{"application/x\"),System.Environment.Exit(3)//+json":{"example":{"ok":"\"\"\"\"\""}}}}}""",
            new JsonObject
            {
                ["operationId"] = Escape,
                ["summary"] = Escape,
                ["parameters"] = new JsonArray(new JsonObject { ["name"] = Escape, ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "integer" } }),
            }.ToJsonString(),
            path: "/a\n}\nclass X {");

        // Act
        var source = MockHandlerGenerator.Generate(contract);
        var mock = await GenerateAndRunAsync(contract);

        // Assert
        mock.ContentType.ShouldBe("application/json");
        var lines = source.Split('\n');
        lines.Where(line => line.Contains("Evil", StringComparison.Ordinal) || line.Contains("Exit(3)", StringComparison.Ordinal) || line.Contains("class X", StringComparison.Ordinal))
            .ShouldAllBe(line => line.StartsWith("//", StringComparison.Ordinal));
        lines.Count(line => line.Contains("Handle(", StringComparison.Ordinal) && !line.StartsWith("//", StringComparison.Ordinal)).ShouldBe(1);
    }

    [Theory]
    [InlineData("""{"204":{"description":"deleted"}}""", "new Response(204)")]
    [InlineData("""{"404":{"description":"no"}}""", "Response.Binary(501, Example, \"application/json\")")]
    [InlineData("""{"200":{"content":{"text/plain":{"example":""}}}}""", "static readonly byte[] Example = [];")]
    public async Task Generate_OtherShapes_CompileAndAnswer(string responses, string expectedCode)
    {
        // Arrange
        var contract = Contract(responses);

        // Act
        var source = MockHandlerGenerator.Generate(contract);
        await GenerateAndRunAsync(contract);

        // Assert
        source.ShouldContain(expectedCode);
    }

    [Fact]
    public async Task Generate_DeclaredInputs_ShownAsSdkCallsInComments()
    {
        // Arrange
        var contract = Contract(
            """{"201":{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/Pet"}}}}}""",
            """
            {"parameters":[
              {"name":"petId","in":"path","required":true,"schema":{"type":"integer","format":"int64"}},
              {"name":"limit","in":"query","schema":{"type":"integer"}},
              {"name":"q","in":"query","required":true,"schema":{"type":"string"}},
              {"name":"X-Request-Id","in":"header","schema":{"type":"string","format":"uuid"}}],
             "requestBody":{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/NewPet"}}}}}
            """,
            method: "post");

        // Act
        var source = MockHandlerGenerator.Generate(contract);
        await GenerateAndRunAsync(contract);

        // Assert
        source.ShouldStartWith("// Generated by edge from the OpenAPI operation showPetById (POST /pets/{petId}): \"Info for a specific pet\".\n");
        source.ShouldContain("//   var petId = req.RequirePathParam<long>(\"petId\");\n");
        source.ShouldContain("//   var limit = req.QueryParam<int>(\"limit\");\n");
        source.ShouldContain("//   var q = req.RequireQueryParam(\"q\");\n");
        source.ShouldContain("//   var xRequestId = req.Header(\"X-Request-Id\");\n");
        source.ShouldContain("//   var body = req.Json<NewPet>();");
        source.ShouldContain("It answers 201 (application/json) with an example built from the response schema.");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_cacheDir, recursive: true);
        }
        catch (IOException)
        {
            // Nothing compiled through the cache; a leftover temp directory harms nothing.
        }
    }
}
