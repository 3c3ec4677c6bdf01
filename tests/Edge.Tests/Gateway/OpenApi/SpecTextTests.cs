using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Edge.Gateway.OpenApi;

namespace Edge.Tests.Gateway.OpenApi;

public sealed class SpecTextTests
{
    private static readonly string SpecsFolder = Path.Combine(AppContext.BaseDirectory, "Gateway", "OpenApi", "Specs");

    public static TheoryData<string> VendoredSpecs() => new(SpecFiles());

    private static IEnumerable<string> SpecFiles() =>
        Directory.GetFiles(SpecsFolder).Select(Path.GetFileName).OfType<string>()
            .Where(f => !f.EndsWith(".md", StringComparison.Ordinal)).Order(StringComparer.Ordinal);

    private static string Spec(string name) => File.ReadAllText(Path.Combine(SpecsFolder, name));

    private static SpecFormatException Rejects(string text) => Should.Throw<SpecFormatException>(() => SpecText.Parse(text));

    /// <summary>The kind a consumer sees, type-exact: "long:42" is not "double:42".</summary>
    private static string Describe(JsonNode? node) => node switch
    {
        null => "null",
        JsonValue v when v.TryGetValue<string>(out var s) => "string:" + s,
        JsonValue v when v.TryGetValue<bool>(out var b) => b ? "bool:true" : "bool:false",
        JsonValue v when v.TryGetValue<long>(out var l) => "long:" + l.ToString(CultureInfo.InvariantCulture),
        JsonValue v when v.TryGetValue<decimal>(out var m) => "decimal:" + m.ToString(CultureInfo.InvariantCulture),
        JsonValue v when v.TryGetValue<double>(out var d) => "double:" + d.ToString("R", CultureInfo.InvariantCulture),
        _ => node.GetType().Name,
    };

    [Fact]
    public void VendoredSpecs_Folder_HoldsEverySpecTheTestsNeed()
    {
        // Arrange
        var expected = new[]
        {
            "api-with-examples.yaml", "callback-example.json", "callback-example.yaml", "link-example.yaml", "non-oauth-scopes.json",
            "petstore-expanded.yaml", "petstore.yaml", "shared-petstore.yaml", "swagger2-petstore-expanded.json",
            "swagger2-petstore.yaml", "uspto.yaml", "webhook-example.yaml",
        };

        // Act
        var present = SpecFiles().ToList();

        // Assert
        present.ShouldBe(expected, ignoreOrder: true);
    }

    [Theory]
    [MemberData(nameof(VendoredSpecs))]
    public void Parse_VendoredSpec_RootHasOpenApiOrSwaggerVersion(string file)
    {
        // Act
        var root = SpecText.Parse(Spec(file));

        // Assert
        var version = root["openapi"] ?? root["swagger"];
        version.ShouldNotBeNull();
        Describe(version).ShouldStartWith("string:", customMessage: "a version written 3.0.0 or \"2.0\" stays a string");
        root["info"].ShouldBeOfType<JsonObject>();
        root["paths"].ShouldBeOfType<JsonObject>().Count.ShouldBeGreaterThan(0);
    }

    [Theory]
    [MemberData(nameof(VendoredSpecs))]
    public void Parse_VendoredSpecWrittenBackAsJson_ParsesToAnEqualTree(string file)
    {
        // Arrange
        var root = SpecText.Parse(Spec(file));

        // Act
        var again = SpecText.Parse(root.ToJsonString());

        // Assert
        JsonNode.DeepEquals(root, again).ShouldBeTrue();
        Describe(again["paths"]!.AsObject().First().Value).ShouldBe("JsonObject");
    }

    [Fact]
    public void Parse_SameSpecAsYamlAndJson_GivesEqualTrees()
    {
        // Act
        var yaml = SpecText.Parse(Spec("callback-example.yaml"));
        var json = SpecText.Parse(Spec("callback-example.json"));

        // Assert
        JsonNode.DeepEquals(yaml, json).ShouldBeTrue();
        yaml["paths"]!["/streams"]!["post"]!["callbacks"]!["onData"]!.AsObject().ShouldContainKey("{$request.query.callbackUrl}/data");
    }

    [Fact]
    public void Parse_Petstore_KeepsTypesAsWritten()
    {
        // Act
        var root = SpecText.Parse(Spec("petstore.yaml"));
        var shared = SpecText.Parse(Spec("shared-petstore.yaml"));

        // Assert
        Describe(root["info"]!["version"]).ShouldBe("string:1.0.0");
        var list = root["paths"]!["/pets"]!["get"]!;
        Describe(list["parameters"]![0]!["schema"]!["maximum"]).ShouldBe("long:100");
        Describe(list["parameters"]![0]!["required"]).ShouldBe("bool:false");
        list["responses"]!.AsObject().Select(p => p.Key).ShouldBe(["200", "default"]);
        shared["paths"]!["/pets"]!["get"]!["responses"]!.AsObject().ShouldContainKey("200", "a plain key 200 becomes the string \"200\"");
    }

    [Fact]
    public void Parse_FlowMappingInsideBlockYaml_IsReadAsNestedObjects()
    {
        // Act
        var root = SpecText.Parse(Spec("api-with-examples.yaml"));

        // Assert
        var foo = root["paths"]!["/"]!["get"]!["responses"]!["200"]!["content"]!["application/json"]!["examples"]!["foo"]!;
        var versions = foo["value"]!["versions"].ShouldBeOfType<JsonArray>();
        versions.Count.ShouldBe(2);
        Describe(versions[1]!["id"]).ShouldBe("string:v3.0");
        var literal = root["paths"]!["/"]!["get"]!["responses"]!["300"]!["content"]!["application/json"]!["examples"]!["foo"]!["value"];
        Describe(literal).ShouldStartWith("string:{");
    }

    [Theory]
    [InlineData("v: \"200\"", "string:200")]
    [InlineData("v: '200'", "string:200")]
    [InlineData("v: 200", "long:200")]
    [InlineData("v: -7", "long:-7")]
    [InlineData("v: +12", "long:12")]
    [InlineData("v: 017", "long:17")]
    [InlineData("v: 0x1F", "long:31")]
    [InlineData("v: 0o17", "long:15")]
    [InlineData("v: 12345678901234567890", "decimal:12345678901234567890")]
    [InlineData("v: 1.5", "double:1.5")]
    [InlineData("v: 1.0", "double:1")]
    [InlineData("v: 1e3", "double:1000")]
    [InlineData("v: .5", "double:0.5")]
    [InlineData("v: .inf", "string:.inf")]
    [InlineData("v: -.Inf", "string:-.Inf")]
    [InlineData("v: .nan", "string:.nan")]
    [InlineData("v: yes", "string:yes")]
    [InlineData("v: no", "string:no")]
    [InlineData("v: on", "string:on")]
    [InlineData("v: y", "string:y")]
    [InlineData("v: true", "bool:true")]
    [InlineData("v: True", "bool:true")]
    [InlineData("v: FALSE", "bool:false")]
    [InlineData("v: tRUE", "string:tRUE")]
    [InlineData("v: 'true'", "string:true")]
    [InlineData("v: ~", "null")]
    [InlineData("v: null", "null")]
    [InlineData("v: Null", "null")]
    [InlineData("v: NULL", "null")]
    [InlineData("v:", "null")]
    [InlineData("v: ''", "string:")]
    [InlineData("v: 1.0.0", "string:1.0.0")]
    [InlineData("v: 2001-12-14", "string:2001-12-14")]
    [InlineData("v: 1_000", "string:1_000")]
    [InlineData("v: 0b101", "string:0b101")]
    [InlineData("v: 12:30", "string:12:30")]
    [InlineData("v: !!str 12", "string:12")]
    [InlineData("v: !!int \"12\"", "long:12")]
    [InlineData("v: !!float 1", "double:1")]
    [InlineData("v: !!bool 'true'", "bool:true")]
    [InlineData("v: !!null ''", "null")]
    [InlineData("v: ! 12", "string:12")]
    [InlineData("v: !Ref 12", "long:12")]
    [InlineData("v: |\n  two\n  lines\n", "string:two\nlines\n")]
    [InlineData("v: >-\n  folded\n  text\n", "string:folded text")]
    public void Parse_YamlScalar_TypedByCoreSchema(string yaml, string expected)
    {
        // Act
        var root = SpecText.Parse(yaml);

        // Assert
        Describe(root["v"]).ShouldBe(expected);
    }

    [Fact]
    public void Parse_JsonNumbers_StayIntegerOrFloatAsWritten()
    {
        // Act
        var root = SpecText.Parse("""{"a": 42, "b": 1.5, "c": 1.0, "d": -3e2, "e": 12345678901234567890, "f": "42"}""");

        // Assert
        Describe(root["a"]).ShouldBe("long:42");
        Describe(root["b"]).ShouldBe("double:1.5");
        Describe(root["c"]).ShouldBe("double:1");
        Describe(root["d"]).ShouldBe("double:-300");
        Describe(root["e"]).ShouldBe("decimal:12345678901234567890");
        Describe(root["f"]).ShouldBe("string:42");
        root.ToJsonString().ShouldBe("""{"a":42,"b":1.5,"c":1,"d":-300,"e":12345678901234567890,"f":"42"}""");
    }

    [Fact]
    public void Parse_YamlAndJsonExamples_GiveTheSameKinds()
    {
        // Act
        var yaml = SpecText.Parse("example: {id: 42, price: 1.5, tag: null, ok: true, name: Rex}");
        var json = SpecText.Parse("""{"example": {"id": 42, "price": 1.5, "tag": null, "ok": true, "name": "Rex"}}""");

        // Assert
        JsonNode.DeepEquals(yaml, json).ShouldBeTrue();
        foreach (var key in new[] { "id", "price", "tag", "ok", "name" })
        {
            Describe(yaml["example"]![key]).ShouldBe(Describe(json["example"]![key]), key);
        }
    }

    [Fact]
    public void Parse_NonStringYamlKeys_BecomeTheTextWritten()
    {
        // Act
        var root = SpecText.Parse("200: a\ntrue: b\n~: c\n1.50: d\n0x1F: e\n'quoted': f\n");

        // Assert
        root.Select(p => p.Key).ShouldBe(["200", "true", "~", "1.50", "0x1F", "quoted"]);
    }

    [Theory]
    [InlineData("a: 1\nb: 2\na: 3\n", "\"a\"", 3, 1, "(first at 1:1)")]
    [InlineData("paths:\n  /pets:\n    get: {}\n    get: {}\n", "\"get\"", 4, 5, "(first at 3:5)")]
    [InlineData("a: {x: 1, x: 2}\n", "\"x\"", 1, 11, "(first at 1:5)")]
    [InlineData("a: 1\n'a': 2\n", "\"a\"", 2, 1, "(first at 1:1)")]
    [InlineData("200: x\n\"200\": y\n", "\"200\"", 2, 1, "(first at 1:1)")]
    public void Parse_DuplicateYamlKey_NamesTheKeyAndBothPositions(string yaml, string key, int line, int column, string first)
    {
        // Act
        var ex = Rejects(yaml);

        // Assert
        ex.Message.ShouldBe($"duplicate key {key} at {line}:{column} {first}");
        ex.Line.ShouldBe(line);
        ex.Column.ShouldBe(column);
    }

    [Fact]
    public void Parse_DuplicateJsonKey_NamesTheKeyAndBothPositions()
    {
        // Arrange
        var json = "{\n  \"paths\": {\n    \"/pets\": {},\n    \"/pets\": {}\n  }\n}";

        // Act
        var ex = Rejects(json);

        // Assert
        ex.Message.ShouldBe("duplicate key \"/pets\" at 4:5 (first at 3:5)");
        ex.Line.ShouldBe(4);
    }

    [Fact]
    public void Parse_BillionLaughs_RejectedBeforeExpanding()
    {
        // Arrange: 10^9 strings from nine levels of ten aliases each
        var yaml = new StringBuilder("l0: &l0 \"lol\"\n");
        for (var level = 1; level <= 9; level++)
        {
            var refs = string.Join(", ", Enumerable.Repeat($"*l{level - 1}", 10));
            yaml.Append(CultureInfo.InvariantCulture, $"l{level}: &l{level} [{refs}]\n");
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();

        // Act
        var ex = Rejects(yaml.ToString());

        // Assert
        ex.Message.ShouldContain("more than 1,000,000 nodes");
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Parse_AliasesWithinTheLimit_AreExpandedAsCopies()
    {
        // Act
        var root = SpecText.Parse("base: &pet {type: object, required: [id]}\ncopy: *pet\nname: &n Rex\nalso: *n\n");

        // Assert
        JsonNode.DeepEquals(root["base"], root["copy"]).ShouldBeTrue();
        root["base"].ShouldNotBeSameAs(root["copy"]);
        Describe(root["also"]).ShouldBe("string:Rex");
    }

    [Fact]
    public void Parse_MergeKeys_MergedWithTheMappingsOwnKeysWinning()
    {
        // Arrange
        var yaml = "defaults: &d {type: string, maxLength: 10}\nextra: &e {format: uuid, maxLength: 99}\n"
            + "id:\n  <<: [*d, *e]\n  maxLength: 36\n";

        // Act
        var root = SpecText.Parse(yaml);

        // Assert
        var id = root["id"]!.AsObject();
        Describe(id["maxLength"]).ShouldBe("long:36");
        Describe(id["type"]).ShouldBe("string:string");
        Describe(id["format"]).ShouldBe("string:uuid");
        id.ContainsKey("<<").ShouldBeFalse();
    }

    [Fact]
    public void Parse_QuotedMergeKey_IsAnOrdinaryKey()
    {
        // Act
        var root = SpecText.Parse("'<<': 1\n");

        // Assert
        Describe(root["<<"]).ShouldBe("long:1");
    }

    [Theory]
    [InlineData("a: &a [*a]\n", "the alias *a is inside the node it refers to at 1:8")]
    [InlineData("a: *nope\n", "the alias *nope refers to no anchor defined before it at 1:4")]
    [InlineData("a:\n  <<: 5\n", "the merge key << takes a mapping or a sequence of mappings at 2:7")]
    [InlineData("? [a, b]\n: x\n", "a mapping key must be a scalar, not a sequence at 1:3")]
    [InlineData("? {a: 1}\n: x\n", "a mapping key must be a scalar, not a mapping at 1:3")]
    [InlineData("k: &k [1]\n*k : x\n", "a mapping key must be a scalar, but the alias *k refers to a collection at 2:1")]
    [InlineData("v: !!int abc\n", "the value \"abc\" is tagged !!int but is not one at 1:4")]
    [InlineData("v: 1e999\n", "the number \"1e999\" is out of range at 1:4")]
    [InlineData("- a\n- b\n", "the root must be a mapping, not a sequence at 1:1")]
    [InlineData("just text\n", "the root must be a mapping, not a scalar at 1:1")]
    [InlineData("a: 1\n---\nb: 2\n", "the spec text holds more than one YAML document; the second starts at 2:1")]
    public void Parse_HostileOrInvalidYaml_RejectedWithOneClearLine(string yaml, string message)
    {
        // Act
        var ex = Rejects(yaml);

        // Assert
        ex.Message.ShouldBe(message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n\t\n")]
    [InlineData("\uFEFF")]
    [InlineData("# only a comment\n")]
    public void Parse_EmptyText_Rejected(string text)
    {
        // Act
        var ex = Rejects(text);

        // Assert
        ex.Message.ShouldStartWith("the spec text");
        ex.Line.ShouldBeNull();
    }

    [Fact]
    public void Parse_ByteOrderMark_Ignored()
    {
        // Act
        var yaml = SpecText.Parse("\uFEFFopenapi: 3.1.0\n");
        var json = SpecText.Parse("\uFEFF{\"openapi\": \"3.1.0\"}");

        // Assert
        Describe(yaml["openapi"]).ShouldBe("string:3.1.0");
        Describe(json["openapi"]).ShouldBe("string:3.1.0");
    }

    [Theory]
    [InlineData("a: 1\n  b: 2\n", 2, 4)]
    [InlineData("a: 'unterminated\nb: 2\n", 1, 4)] // where the quoted scalar starts
    [InlineData("a:\n\t- tab\n", 1, 1)] // YamlDotNet points at the mapping the tab breaks, not at the tab
    [InlineData("a: [1, 2\nb: 3\n", 1, 6)] // YamlDotNet throws InvalidOperationException here: the end of the last good node
    public void Parse_MalformedYaml_MessageHasLineAndColumn(string yaml, int line, int column)
    {
        // Act
        var ex = Rejects(yaml);

        // Assert
        ex.Message.ShouldStartWith("YAML syntax error");
        ex.Message.ShouldContain($"{line}:{column}");
        ex.Message.ShouldNotContain("\n");
        ex.Line.ShouldBe(line);
        ex.Column.ShouldBe(column);
    }

    [Theory]
    [InlineData("{\"a\": 1,}", 1, 9, "trailing comma")]
    [InlineData("{\"a\": 1 // no comments\n}", 1, 9, "'/' is invalid")]
    [InlineData("{\n  \"a\": tru\n}", 2, 11, "invalid JSON literal")] // System.Text.Json reports the end of the line
    [InlineData("{\"a\": 1} {\"b\": 2}", 1, 10, "after a single JSON value")]
    [InlineData("{\"é\": 1,\n \"x\": }", 2, 7, "invalid start of a value")]
    public void Parse_MalformedJson_MessageHasLineAndColumn(string json, int line, int column, string reason)
    {
        // Act
        var ex = Rejects(json);

        // Assert
        ex.Message.ShouldStartWith($"JSON syntax error at {line}:{column}: ");
        ex.Message.ShouldContain(reason);
        ex.Message.ShouldNotContain("LineNumber");
        ex.Line.ShouldBe(line);
        ex.Column.ShouldBe(column);
    }

    [Theory]
    [InlineData("[1, 2]", "the root must be an object, not an array at 1:1")]
    [InlineData("{\"v\": 1e999}", "the number \"1e999\" is out of range at 1:7")]
    public void Parse_InvalidJson_RejectedWithOneClearLine(string json, string message)
    {
        // Act
        var ex = Rejects(json);

        // Assert
        ex.Message.ShouldBe(message);
    }

    [Fact]
    public void Parse_JsonStringThatLooksLikeYaml_StaysAString()
    {
        // Act
        var root = SpecText.Parse("""{"a": "yes", "b": "~", "c": "0x1F", "d": "<<"}""");

        // Assert
        root.Select(p => Describe(p.Value)).ShouldBe(["string:yes", "string:~", "string:0x1F", "string:<<"]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Parse_NestingDeeperThanTheLimit_Rejected(bool json)
    {
        // Arrange: 10,000 levels, a stack overflow for a recursive reader
        const int Levels = 10_000;
        var text = json
            ? "{\"a\": " + new string('[', Levels) + new string(']', Levels) + "}"
            : "a: " + new string('[', Levels) + new string(']', Levels) + "\n";

        // Act
        var ex = Rejects(text);

        // Assert
        ex.Message.ShouldStartWith($"nesting deeper than {SpecText.MaxDepth} levels at 1:");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Parse_NestingAtTheLimit_Accepted(bool json)
    {
        // Arrange: the root is level 1, so MaxDepth - 1 arrays inside it
        const int Arrays = SpecText.MaxDepth - 1;
        var text = json
            ? "{\"a\": " + new string('[', Arrays) + new string(']', Arrays) + "}"
            : "a: " + new string('[', Arrays) + new string(']', Arrays) + "\n";

        // Act
        var root = SpecText.Parse(text);

        // Assert
        var node = root["a"];
        for (var i = 1; i < Arrays; i++)
        {
            node = node.ShouldBeOfType<JsonArray>().Single();
        }

        node.ShouldBeOfType<JsonArray>().Count.ShouldBe(0);
    }

    [Fact]
    public void Parse_AliasThatWouldNestTooDeep_Rejected()
    {
        // Arrange: 100 levels anchored, then used 100 levels down; each half is within the limit
        var deep = new string('[', 100) + new string(']', 100);
        var yaml = $"a: &deep {deep}\nb: {new string('[', 100)}*deep{new string(']', 100)}\n";

        // Act
        var ex = Rejects(yaml);

        // Assert
        ex.Message.ShouldStartWith($"nesting deeper than {SpecText.MaxDepth} levels through the alias *deep at 2:");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Parse_TextOverTheByteLimit_Rejected(int bytesPerChar)
    {
        // Arrange: counted in UTF-8 bytes, so 'é' (2 bytes) passes the limit at half the characters
        var filler = bytesPerChar == 1 ? 'a' : 'é';
        var text = "a: " + new string(filler, (SpecText.MaxBytes / bytesPerChar) + 1);

        // Act
        var ex = Rejects(text);

        // Assert
        ex.Message.ShouldEndWith($"over the limit of {SpecText.MaxBytes:N0} bytes");
    }

    [Fact]
    public void Parse_TooManyNodesWithoutAliases_Rejected()
    {
        // Arrange: JSON, which has no aliases, has the same limit (YAML's is the billion-laughs test)
        var text = "{\"a\": [" + string.Join(',', Enumerable.Repeat("0", SpecText.MaxNodes)) + "]}";

        // Act
        var ex = Rejects(text);

        // Assert
        ex.Message.ShouldContain("more than 1,000,000 nodes");
    }
}
