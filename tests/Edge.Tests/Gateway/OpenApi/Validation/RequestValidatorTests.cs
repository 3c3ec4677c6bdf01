using System.Text;
using System.Text.Json.Nodes;
using Edge.Gateway.OpenApi.Validation;
using Microsoft.AspNetCore.Http;

namespace Edge.Tests.Gateway.OpenApi.Validation;

public sealed class RequestValidatorTests
{
    // ---- helpers ----

    private static RequestValidator Build(string contract) => RequestValidator.Build(JsonNode.Parse(contract)!.AsObject());

    /// <summary>A POST contract whose JSON body must satisfy <paramref name="schema"/>.</summary>
    private static RequestValidator BodySchema(string schema, string components = "{}") => Build(
        """{"method": "POST", "path": "/x", "operation": {"requestBody": {"required": true, "content": {"application/json": {"schema": """
        + schema + """}}}}, "components": {"schemas": """ + components + "}}");

    /// <summary>A GET contract with these parameters (a JSON array).</summary>
    private static RequestValidator Parameters(string parameters, string components = "{}") => Build(
        """{"method": "GET", "path": "/x", "operation": {"parameters": """ + parameters + """}, "components": {"schemas": """ + components + "}}");

    private static IReadOnlyList<ValidationProblem>? Body(RequestValidator validator, string body, string? contentType = "application/json")
    {
        var http = new DefaultHttpContext();
        http.Request.Method = "POST";
        http.Request.ContentType = contentType;
        return validator.Validate(http.Request, null, Encoding.UTF8.GetBytes(body));
    }

    private static IReadOnlyList<ValidationProblem>? Request(
        RequestValidator validator, string query = "", (string Name, string Value)[]? headers = null, Dictionary<string, string>? path = null)
    {
        var http = new DefaultHttpContext();
        http.Request.QueryString = new QueryString(query);
        foreach (var (name, value) in headers ?? [])
        {
            http.Request.Headers.Append(name, value);
        }

        return validator.Validate(http.Request, path, ReadOnlyMemory<byte>.Empty);
    }

    private static ValidationProblem Single(IReadOnlyList<ValidationProblem>? problems)
    {
        problems.ShouldNotBeNull();
        problems.Count.ShouldBe(1, string.Join("\n", problems));
        return problems[0];
    }

    private static void ShouldBeValid(IReadOnlyList<ValidationProblem>? problems) =>
        problems.ShouldBeNull(problems is null ? null : string.Join("\n", problems));

    private static void ShouldHave(IReadOnlyList<ValidationProblem>? problems, string pointer, string message)
    {
        problems.ShouldNotBeNull();
        problems.ShouldContain(p => p.Pointer == pointer && p.Message == message, string.Join("\n", problems));
    }

    private const string PetComponents = """
        {
          "Pet": {"type": "object", "required": ["id", "name"], "additionalProperties": false,
                  "properties": {
                    "id": {"type": "integer", "format": "int64", "readOnly": true},
                    "name": {"type": "string", "minLength": 1, "maxLength": 40, "pattern": "^[A-Za-z][A-Za-z -]*$"},
                    "status": {"type": "string", "enum": ["available", "pending", "sold"]},
                    "born": {"type": "string", "format": "date"},
                    "weight": {"type": "number", "exclusiveMinimum": 0, "maximum": 100},
                    "owner": {"type": "object", "required": ["email"], "properties": {"email": {"type": "string", "format": "email"}}},
                    "tags": {"type": "array", "maxItems": 5, "uniqueItems": true, "items": {"$ref": "#/components/schemas/Tag"}}
                  }},
          "Tag": {"type": "object", "required": ["name"], "properties": {"id": {"type": "integer"}, "name": {"type": "string", "minLength": 2}}}
        }
        """;

    private static RequestValidator PetValidator() => BodySchema("""{"$ref": "#/components/schemas/Pet"}""", PetComponents);

    // ---- whole bodies ----

    [Fact]
    public void Validate_ValidPet_ReturnsNull()
    {
        var validator = PetValidator();

        var problems = Body(validator, """
            {"name": "Rex", "status": "available", "born": "2020-02-29", "weight": 12.5,
             "owner": {"email": "ann@example.com"}, "tags": [{"id": 1, "name": "good"}, {"name": "dog"}]}
            """);

        ShouldBeValid(problems);
    }

    [Fact]
    public void Validate_InvalidPet_ListsEveryProblemWithItsPointer()
    {
        var validator = PetValidator();

        var problems = Body(validator, """
            {"name": "9lives", "status": "lost", "born": "2021-02-29", "weight": 0, "color": "red",
             "owner": {}, "tags": [{"name": "ok"}, {"name": "x"}, {"id": "7"}]}
            """);

        problems.ShouldNotBeNull();
        ShouldHave(problems, "/name", "must match the pattern ^[A-Za-z][A-Za-z -]*$");
        ShouldHave(problems, "/status", "must be one of: available, pending, sold");
        ShouldHave(problems, "/born", "not a valid date");
        ShouldHave(problems, "/weight", "must be > 0, got 0");
        ShouldHave(problems, "/color", "property 'color' is not allowed");
        ShouldHave(problems, "/owner", "missing required property 'email'");
        ShouldHave(problems, "/tags/1/name", "must be at least 2 characters long, got 1");
        ShouldHave(problems, "/tags/2/id", "expected integer, got string");
        ShouldHave(problems, "/tags/2", "missing required property 'name'");
        problems.Count.ShouldBe(9, string.Join("\n", problems));
        problems.ShouldAllBe(p => p.In == "body");
    }

    [Fact]
    public void Validate_ReadOnlyRequiredPropertyMissing_IsNotRequired()
    {
        var validator = PetValidator();

        var problems = Body(validator, """{"name": "Rex"}""");

        ShouldBeValid(problems);
    }

    [Fact]
    public void Validate_ReadOnlyPropertySent_IsAllowed()
    {
        var validator = PetValidator();

        var problems = Body(validator, """{"id": "server-assigned", "name": "Rex"}""");

        ShouldBeValid(problems);
    }

    [Fact]
    public void Validate_WriteOnlyProperty_IsValidatedNormally()
    {
        var validator = BodySchema("""{"type": "object", "properties": {"password": {"type": "string", "writeOnly": true, "minLength": 8}}}""");

        var problems = Body(validator, """{"password": "short"}""");

        Single(problems).ShouldBe(new ValidationProblem("body", "/password", "must be at least 8 characters long, got 5"));
    }

    [Fact]
    public void Validate_ManyProblems_StopsAtTheCap()
    {
        var validator = BodySchema("""{"type": "array", "items": {"type": "integer"}}""");
        var body = "[" + string.Join(",", Enumerable.Repeat("\"x\"", 500)) + "]";

        var problems = Body(validator, body);

        problems.ShouldNotBeNull();
        problems.Count.ShouldBe(ValidationContext.MaxProblems);
        problems[99].Pointer.ShouldBe("/99");
    }

    // ---- type ----

    [Theory]
    [InlineData("integer", "\"x\"", "expected integer, got string")]
    [InlineData("integer", "1.5", "expected integer, got number")]
    [InlineData("string", "12", "expected string, got integer")]
    [InlineData("boolean", "null", "expected boolean, got null")]
    [InlineData("object", "[]", "expected object, got array")]
    [InlineData("array", "{}", "expected array, got object")]
    [InlineData("number", "true", "expected number, got boolean")]
    public void Validate_WrongType_ReportsExpectedAndActual(string type, string body, string message)
    {
        var validator = BodySchema($$$"""{"type": "{{{type}}}"}""");

        var problem = Single(Body(validator, body));

        problem.ShouldBe(new ValidationProblem("body", "", message));
    }

    [Theory]
    [InlineData("1")]
    [InlineData("1.0")]
    [InlineData("1e2")]
    [InlineData("-9007199254740993")]
    public void Validate_IntegerType_AcceptsWholeNumbers(string body)
    {
        var validator = BodySchema("""{"type": "integer"}""");

        ShouldBeValid(Body(validator, body));
    }

    [Fact]
    public void Validate_TypeArray_AcceptsEachTypeAndNamesThemAll()
    {
        var validator = BodySchema("""{"type": ["string", "null"]}""");

        ShouldBeValid(Body(validator, "null"));
        ShouldBeValid(Body(validator, "\"a\""));
        Single(Body(validator, "3")).Message.ShouldBe("expected string or null, got integer");
    }

    [Fact]
    public void Validate_Nullable30_AcceptsNullOnly()
    {
        var validator = BodySchema("""{"type": "string", "nullable": true, "minLength": 2}""");

        ShouldBeValid(Body(validator, "null"));
        ShouldBeValid(Body(validator, "\"ab\""));
        Single(Body(validator, "5")).Message.ShouldBe("expected string, got integer");
    }

    [Fact]
    public void Validate_BooleanSchemas_TrueAcceptsFalseRejects()
    {
        var validator = BodySchema("""{"type": "object", "properties": {"any": true, "never": false}}""");

        ShouldBeValid(Body(validator, """{"any": [1, {"x": null}]}"""));
        Single(Body(validator, """{"never": 1}""")).ShouldBe(new ValidationProblem("body", "/never", "no value is allowed here"));
    }

    // ---- enum, const ----

    [Fact]
    public void Validate_EnumOfMixedValues_ComparesStructurally()
    {
        var validator = BodySchema("""{"enum": [1, "two", null, {"a": [1]}]}""");

        ShouldBeValid(Body(validator, "1.0"));
        ShouldBeValid(Body(validator, "\"two\""));
        ShouldBeValid(Body(validator, "null"));
        ShouldBeValid(Body(validator, """{"a": [1]}"""));
        Single(Body(validator, "2")).Message.ShouldBe("must be one of: 1, two, null, {\"a\":[1]}");
    }

    [Fact]
    public void Validate_Const_RejectsAnyOtherValue()
    {
        var validator = BodySchema("""{"const": "v1"}""");

        ShouldBeValid(Body(validator, "\"v1\""));
        Single(Body(validator, "\"v2\"")).Message.ShouldBe("must be \"v1\"");
    }

    // ---- numbers ----

    [Theory]
    [InlineData("""{"maximum": 100}""", "250", "must be ≤ 100, got 250")]
    [InlineData("""{"minimum": 1}""", "0", "must be ≥ 1, got 0")]
    [InlineData("""{"exclusiveMinimum": 0}""", "0", "must be > 0, got 0")]
    [InlineData("""{"exclusiveMaximum": 10}""", "10", "must be < 10, got 10")]
    [InlineData("""{"minimum": 0, "exclusiveMinimum": true}""", "0", "must be > 0, got 0")]
    [InlineData("""{"maximum": 10, "exclusiveMaximum": true}""", "10", "must be < 10, got 10")]
    [InlineData("""{"multipleOf": 5}""", "12", "must be a multiple of 5, got 12")]
    [InlineData("""{"multipleOf": 0.1}""", "0.35", "must be a multiple of 0.1, got 0.35")]
    [InlineData("""{"format": "int32"}""", "2147483648", "must be a 32-bit integer (-2147483648 to 2147483647), got 2147483648")]
    [InlineData("""{"format": "int64"}""", "9223372036854775808", "must be a 64-bit integer (-9223372036854775808 to 9223372036854775807), got 9223372036854775808")]
    public void Validate_NumberOutOfBounds_ReportsBoundAndValue(string schema, string body, string message)
    {
        var validator = BodySchema(schema);

        Single(Body(validator, body)).ShouldBe(new ValidationProblem("body", "", message));
    }

    [Theory]
    [InlineData("""{"maximum": 100}""", "100")]
    [InlineData("""{"minimum": 1}""", "1")]
    [InlineData("""{"exclusiveMinimum": 0}""", "0.001")]
    [InlineData("""{"minimum": 0, "exclusiveMinimum": true}""", "0.5")]
    [InlineData("""{"minimum": 0, "exclusiveMinimum": false}""", "0")]
    [InlineData("""{"multipleOf": 0.1}""", "0.3")]
    [InlineData("""{"multipleOf": 0.01}""", "19.99")]
    [InlineData("""{"format": "int32"}""", "-2147483648")]
    [InlineData("""{"format": "double"}""", "1e300")]
    public void Validate_NumberWithinBounds_Passes(string schema, string body)
    {
        var validator = BodySchema(schema);

        ShouldBeValid(Body(validator, body));
    }

    // ---- strings ----

    [Theory]
    [InlineData("""{"minLength": 3}""", "\"ab\"", "must be at least 3 characters long, got 2")]
    [InlineData("""{"maxLength": 1}""", "\"ab\"", "must be at most 1 character long, got 2")]
    [InlineData("""{"pattern": "^[a-z]+$"}""", "\"abc1\"", "must match the pattern ^[a-z]+$")]
    public void Validate_StringConstraintBroken_Reports(string schema, string body, string message)
    {
        var validator = BodySchema(schema);

        Single(Body(validator, body)).Message.ShouldBe(message);
    }

    [Fact]
    public void Validate_StringLength_CountsCodePointsNotUtf16Units()
    {
        var validator = BodySchema("""{"type": "string", "minLength": 2, "maxLength": 2}""");

        ShouldBeValid(Body(validator, "\"😀😀\""));
        Single(Body(validator, "\"😀\"")).Message.ShouldBe("must be at least 2 characters long, got 1");
    }

    [Fact]
    public void Validate_EscapedStringValue_IsCheckedUnescaped()
    {
        var validator = BodySchema("""{"type": "object", "properties": {"a": {"pattern": "^abc$"}, "e": {"enum": ["café", "tea"]}, "n": {"maxLength": 2}}}""");

        ShouldBeValid(Body(validator, """{"a": "a\u0062c", "e": "caf\u00e9", "n": "\n\t"}"""));
        Single(Body(validator, """{"e": "caf\u00e8"}""")).ShouldBe(new ValidationProblem("body", "/e", "must be one of: café, tea"));
    }

    [Fact]
    public void Validate_LongNonAsciiString_IsMeasuredAndMatchedWhole()
    {
        var validator = BodySchema("""{"type": "string", "maxLength": 600, "pattern": "^(é|x)+z$"}""");
        var text = string.Concat(Enumerable.Repeat("éx", 300));

        ShouldBeValid(Body(validator, $"\"{text[..^1]}z\""));
        var problems = Body(validator, $"\"{text}z\"");
        problems.ShouldNotBeNull();
        problems.Select(p => p.Message).ShouldBe(["must be at most 600 characters long, got 601"]);
    }

    [Fact]
    public void Validate_ParameterWithCharactersJsonWouldEscape_IsCheckedAsSent()
    {
        var validator = Parameters("""[{"name": "q", "in": "query", "schema": {"type": "string", "enum": ["a+b<c>&\"é"]}}]""");

        ShouldBeValid(Request(validator, "?q=" + Uri.EscapeDataString("a+b<c>&\"é")));
        Single(Request(validator, "?q=ab")).Message.ShouldBe("must be one of: a+b<c>&\"é");
    }

    [Fact]
    public void Validate_PatternIsUnanchoredSearch_MatchesInside()
    {
        var validator = BodySchema("""{"pattern": "b+"}""");

        ShouldBeValid(Body(validator, "\"abbc\""));
    }

    [Fact]
    public void Validate_CatastrophicPattern_TimesOutAsAProblem()
    {
        var validator = BodySchema("""{"type": "string", "pattern": "^(a+)+$"}""");

        var problem = Single(Body(validator, "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!\""));

        problem.ShouldBe(new ValidationProblem("body", "", "took too long to match against the pattern ^(a+)+$"));
    }

    [Theory]
    [InlineData("date-time", "2024-02-29T23:59:60.123+05:30", "2024-02-30T10:00:00Z")]
    [InlineData("date-time", "1999-12-31t00:00:00z", "2024-01-01T10:00:00")]
    [InlineData("date-time", "2024-01-01T10:00:00Z", "2024-01-01 10:00:00Z")]
    [InlineData("date", "2000-02-29", "1900-02-29")]
    [InlineData("date", "2024-12-31", "2024-13-01")]
    [InlineData("time", "10:20:30Z", "24:00:00")]
    [InlineData("time", "10:20:30.5-01:00", "10:20")]
    [InlineData("uuid", "123e4567-e89b-12d3-a456-426614174000", "123e4567e89b12d3a456426614174000")]
    [InlineData("email", "ann.lee+tag@mail.example.com", "ann@@example.com")]
    [InlineData("email", "a@[192.168.0.1]", "a b@example.com")]
    [InlineData("uri", "https://example.com/a?b=c#d", "/relative/path")]
    [InlineData("uri", "urn:isbn:0451450523", "not a uri")]
    [InlineData("uri-reference", "../a/b?c", "a b")]
    [InlineData("ipv4", "192.168.0.1", "192.168.0.256")]
    [InlineData("ipv4", "0.0.0.0", "01.2.3.4")]
    [InlineData("ipv6", "2001:db8::1", "2001:db8::g")]
    [InlineData("ipv6", "::ffff:192.168.0.1", "12345::")]
    [InlineData("hostname", "api.example-1.com", "-bad.example.com")]
    [InlineData("hostname", "localhost", "a..b")]
    [InlineData("byte", "aGVsbG8=", "aGVsbG8")]
    public void Validate_StringFormat_AcceptsValidRejectsInvalid(string format, string valid, string invalid)
    {
        var validator = BodySchema($$$"""{"type": "string", "format": "{{{format}}}"}""");

        ShouldBeValid(Body(validator, $"\"{valid}\""));
        Single(Body(validator, $"\"{invalid}\"")).Message.ShouldBe($"not a valid {format}");
    }

    [Theory]
    [InlineData("float")]
    [InlineData("password")]
    [InlineData("binary")]
    [InlineData("made-up-format")]
    public void Validate_UncheckedFormat_Passes(string format)
    {
        var validator = BodySchema($$$"""{"type": "string", "format": "{{{format}}}"}""");

        ShouldBeValid(Body(validator, "\"anything at all\""));
    }

    // ---- arrays ----

    [Fact]
    public void Validate_ArrayCounts_ReportBothBounds()
    {
        var validator = BodySchema("""{"type": "array", "minItems": 2, "maxItems": 3}""");

        ShouldBeValid(Body(validator, "[1, 2]"));
        Single(Body(validator, "[1]")).Message.ShouldBe("must have at least 2 items, got 1");
        Single(Body(validator, "[1, 2, 3, 4]")).Message.ShouldBe("must have at most 3 items, got 4");
    }

    [Fact]
    public void Validate_UniqueItems_NamesTheEqualPair()
    {
        var validator = BodySchema("""{"type": "array", "uniqueItems": true}""");

        ShouldBeValid(Body(validator, """[1, "1", {"a": 1}, {"a": 2}, [1]]"""));
        Single(Body(validator, """[{"a": 1, "b": 2}, 3, {"b": 2, "a": 1.0}]""")).Message.ShouldBe("items 0 and 2 are equal; items must be unique");
    }

    [Fact]
    public void Validate_UniqueItemsLargeArray_FindsTheDuplicate()
    {
        var validator = BodySchema("""{"type": "array", "uniqueItems": true}""");
        var items = Enumerable.Range(0, 1000).Select(i => $"\"s{i}\"").ToList();

        ShouldBeValid(Body(validator, "[" + string.Join(",", items) + "]"));
        items.Add("\"s500\"");
        Single(Body(validator, "[" + string.Join(",", items) + "]")).Message.ShouldBe("items 500 and 1000 are equal; items must be unique");
    }

    [Fact]
    public void Validate_PrefixItems_ValidatesByPositionThenItems()
    {
        var validator = BodySchema("""{"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}], "items": {"type": "boolean"}}""");

        ShouldBeValid(Body(validator, """["a", 1, true, false]"""));
        var problems = Body(validator, """[1, "a", true, 0]""");
        problems.ShouldNotBeNull();
        problems.Select(p => p.Pointer).ShouldBe(["/0", "/1", "/3"]);
    }

    // ---- objects ----

    [Fact]
    public void Validate_AdditionalPropertiesSchema_AppliesToUndeclaredOnly()
    {
        var validator = BodySchema("""{"type": "object", "properties": {"name": {"type": "string"}}, "additionalProperties": {"type": "integer"}}""");

        ShouldBeValid(Body(validator, """{"name": "a", "x": 1, "y": 2}"""));
        Single(Body(validator, """{"name": "a", "x": "1"}""")).ShouldBe(new ValidationProblem("body", "/x", "expected integer, got string"));
    }

    [Fact]
    public void Validate_PatternProperties_MatchAndExemptFromAdditional()
    {
        var validator = BodySchema("""{"type": "object", "patternProperties": {"^x-": {"type": "string"}}, "additionalProperties": false}""");

        ShouldBeValid(Body(validator, """{"x-trace": "abc"}"""));
        var problems = Body(validator, """{"x-trace": 1, "other": 1}""");
        ShouldHave(problems, "/x-trace", "expected string, got integer");
        ShouldHave(problems, "/other", "property 'other' is not allowed");
    }

    [Fact]
    public void Validate_PropertyCounts_ReportBothBounds()
    {
        var validator = BodySchema("""{"type": "object", "minProperties": 1, "maxProperties": 2}""");

        Single(Body(validator, "{}")).Message.ShouldBe("must have at least 1 property, got 0");
        Single(Body(validator, """{"a":1,"b":2,"c":3}""")).Message.ShouldBe("must have at most 2 properties, got 3");
    }

    [Fact]
    public void Validate_RequiredWithoutDeclaration_ReportsMissingAndAllowsAnyValue()
    {
        var validator = BodySchema("""{"type": "object", "required": ["a", "b"]}""");

        var problems = Body(validator, """{"a": [1]}""");

        Single(problems).ShouldBe(new ValidationProblem("body", "", "missing required property 'b'"));
    }

    [Fact]
    public void Validate_EscapedAndSpecialPropertyNames_MatchAndEscapeInPointers()
    {
        var validator = BodySchema("""{"type": "object", "properties": {"a/b": {"type": "integer"}, "c~d": {"type": "integer"}, "é": {"type": "integer"}}}""");

        var problems = Body(validator, """{"a\/b": "x", "c~d": "x", "\u00e9": "x"}""");

        problems.ShouldNotBeNull();
        problems.Select(p => p.Pointer).ShouldBe(["/a~1b", "/c~0d", "/é"]);
    }

    // ---- composition ----

    [Fact]
    public void Validate_AllOf_CollectsProblemsOfEveryBranch()
    {
        var validator = BodySchema("""{"allOf": [{"type": "object", "required": ["a"]}, {"type": "object", "required": ["b"]}]}""");

        var problems = Body(validator, "{}");

        problems.ShouldNotBeNull();
        problems.Select(p => p.Message).ShouldBe(["missing required property 'a'", "missing required property 'b'"]);
    }

    [Fact]
    public void Validate_AnyOfNoMatchWithClosestBranch_ReportsChoiceThenClosestProblems()
    {
        var validator = BodySchema("""
            {"type": "object", "properties": {"pet": {"anyOf": [
              {"type": "object", "required": ["bark"], "properties": {"bark": {"type": "boolean"}}},
              {"type": "string"}]}}}
            """);

        ShouldBeValid(Body(validator, """{"pet": "cat"}"""));
        ShouldBeValid(Body(validator, """{"pet": {"bark": true}}"""));
        var problems = Body(validator, """{"pet": {"bark": "loud"}}""");

        problems.ShouldNotBeNull();
        problems.Count.ShouldBe(2, string.Join("\n", problems));
        problems[0].ShouldBe(new ValidationProblem("body", "/pet", "does not match any of the 2 alternatives; the closest is alternative 1, whose problems follow"));
        problems[1].ShouldBe(new ValidationProblem("body", "/pet/bark", "expected boolean, got string"));
    }

    [Fact]
    public void Validate_AnyOfNoMatchTied_ReportsOneProblem()
    {
        var validator = BodySchema("""{"anyOf": [{"type": "string"}, {"type": "integer"}]}""");

        Single(Body(validator, "true")).ShouldBe(new ValidationProblem("body", "", "does not match any of the 2 alternatives"));
    }

    [Fact]
    public void Validate_OneOfMatchingTwo_ReportsAmbiguity()
    {
        var validator = BodySchema("""{"oneOf": [{"type": "integer"}, {"type": "number", "minimum": 0}, {"type": "string"}]}""");

        ShouldBeValid(Body(validator, "-1"));
        ShouldBeValid(Body(validator, "0.5"));
        Single(Body(validator, "5")).Message.ShouldBe("matches 2 of the 3 alternatives (alternatives 1 and 2 at least); exactly one must match");
        Single(Body(validator, "true")).Message.ShouldBe("does not match any of the 3 alternatives");
    }

    [Fact]
    public void Validate_Not_RejectsMatchingValue()
    {
        var validator = BodySchema("""{"not": {"type": "string"}}""");

        ShouldBeValid(Body(validator, "1"));
        Single(Body(validator, "\"s\"")).Message.ShouldBe("must not match the schema given in 'not'");
    }

    [Fact]
    public void Validate_RefWithSiblingKeywords_AppliesBoth()
    {
        var validator = BodySchema("""{"$ref": "#/components/schemas/Name", "maxLength": 3}""", """{"Name": {"type": "string", "minLength": 2}}""");

        ShouldBeValid(Body(validator, "\"abc\""));
        Single(Body(validator, "\"a\"")).Message.ShouldBe("must be at least 2 characters long, got 1");
        Single(Body(validator, "\"abcd\"")).Message.ShouldBe("must be at most 3 characters long, got 4");
    }

    [Fact]
    public void Validate_RecursiveSchema_ValidatesEveryLevel()
    {
        var validator = BodySchema("""{"$ref": "#/components/schemas/Node"}""", """
            {"Node": {"type": "object", "required": ["name"], "properties": {
               "name": {"type": "string"},
               "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}}}}
            """);

        ShouldBeValid(Body(validator, """{"name": "a", "children": [{"name": "b", "children": [{"name": "c"}]}]}"""));
        var problems = Body(validator, """{"name": "a", "children": [{"name": "b", "children": [{"name": "c"}, {"name": 4}]}, {}]}""");

        problems.ShouldNotBeNull();
        problems.ShouldBe([
            new ValidationProblem("body", "/children/0/children/1/name", "expected string, got integer"),
            new ValidationProblem("body", "/children/1", "missing required property 'name'"),
        ]);
    }

    [Fact]
    public void Validate_MutuallyRecursiveSchemas_BuildAndValidate()
    {
        var validator = BodySchema("""{"$ref": "#/components/schemas/A"}""", """
            {"A": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/B"}}},
             "B": {"type": "object", "properties": {"a": {"$ref": "#/components/schemas/A"}, "n": {"type": "integer"}}}}
            """);

        Single(Body(validator, """{"b": {"a": {"b": {"n": "x"}}}}""")).Pointer.ShouldBe("/b/a/b/n");
    }

    [Fact]
    public void Build_LongRefChain_BuildsWithoutDeepRecursion()
    {
        // C0 → C1 → … → C4999, each through a property: thousands of refs deep, built from a work list.
        const int Count = 5000;
        var components = string.Join(", ", Enumerable.Range(0, Count).Select(i => i < Count - 1
            ? $"\"C{i}\": " + """{"type": "object", "properties": {"next": {"$ref": "#/components/schemas/C""" + (i + 1) + "\"}}}"
            : $"\"C{i}\": " + """{"type": "integer"}"""));

        var validator = BodySchema("""{"$ref": "#/components/schemas/C0"}""", "{" + components + "}");

        ShouldBeValid(Body(validator, """{"next": {"next": {}}}"""));
        Single(Body(validator, """{"next": {"next": 3}}""")).ShouldBe(new ValidationProblem("body", "/next/next", "expected object, got integer"));
    }

    // ---- contract errors ----

    [Fact]
    public void Build_RefCycleThatNeverDescends_ThrowsInsteadOfLoopingPerRequest()
    {
        var exception = Should.Throw<ContractException>(() => BodySchema("""{"$ref": "#/components/schemas/A"}""", """
            {"A": {"allOf": [{"$ref": "#/components/schemas/B"}]}, "B": {"$ref": "#/components/schemas/A"}}
            """));

        exception.Message.ShouldContain("refers back to itself");
    }

    [Fact]
    public void Build_BadRegex_ThrowsNamingThePointer()
    {
        var exception = Should.Throw<ContractException>(() => Parameters("""[{"name": "a", "in": "query"}, {"name": "b", "in": "query", "schema": {"type": "string", "pattern": "([a-z"}}]"""));

        exception.Message.ShouldStartWith("operation/parameters/1/schema/pattern: not a valid regular expression: ");
    }

    [Theory]
    [InlineData("""{"$ref": "#/components/schemas/Missing"}""", "operation/requestBody/content/application~1json/schema/$ref: '#/components/schemas/Missing' does not exist in the contract")]
    [InlineData("""{"$ref": "other.yaml#/Pet"}""", "operation/requestBody/content/application~1json/schema/$ref: 'other.yaml#/Pet' is not a reference inside the contract (expected #/components/schemas/<name>)")]
    [InlineData("""{"type": "object", "properties": {"a": {"minimum": "1"}}}""", "operation/requestBody/content/application~1json/schema/properties/a/minimum: must be a number")]
    [InlineData("""{"type": "strin"}""", "operation/requestBody/content/application~1json/schema/type: unknown type 'strin' (expected one of null, boolean, object, array, number, integer, string)")]
    [InlineData("""{"required": "a"}""", "operation/requestBody/content/application~1json/schema/required: must be an array of property names")]
    [InlineData("""{"maxLength": -1}""", "operation/requestBody/content/application~1json/schema/maxLength: must be a non-negative integer")]
    [InlineData("""{"anyOf": []}""", "operation/requestBody/content/application~1json/schema/anyOf: must be a non-empty array of schemas")]
    [InlineData("""{"items": 5}""", "operation/requestBody/content/application~1json/schema/items: a schema must be an object or a boolean")]
    [InlineData("""{"multipleOf": 0}""", "operation/requestBody/content/application~1json/schema/multipleOf: must be greater than 0")]
    public void Build_BadSchema_ThrowsNamingThePointer(string schema, string message)
    {
        var exception = Should.Throw<ContractException>(() => BodySchema(schema));

        exception.Message.ShouldBe(message);
    }

    [Fact]
    public void Build_BadComponent_NamesThePointerInsideComponents()
    {
        var exception = Should.Throw<ContractException>(() => BodySchema("""{"$ref": "#/components/schemas/Pet"}""", """{"Pet": {"properties": {"code": {"pattern": "(?<"}}}}"""));

        exception.Message.ShouldStartWith("components/schemas/Pet/properties/code/pattern: not a valid regular expression");
    }

    [Theory]
    [InlineData("""{"operation": {"parameters": {}}}""", "operation/parameters: must be an array")]
    [InlineData("""{"operation": {"parameters": [{"name": "a", "in": "body"}]}}""", "operation/parameters/0/in: must be one of path, query, header, cookie")]
    [InlineData("""{"operation": {"parameters": [{"in": "query"}]}}""", "operation/parameters/0/name: is required")]
    [InlineData("""{"operation": {"parameters": [{"name": "a", "in": "query", "style": "fancy"}]}}""", "operation/parameters/0/style: unknown style 'fancy'")]
    [InlineData("""{"operation": {"parameters": [{"name": "a", "in": "query", "required": "yes"}]}}""", "operation/parameters/0/required: must be true or false")]
    [InlineData("""{"operation": {"requestBody": {"content": []}}}""", "operation/requestBody/content: must be an object")]
    public void Build_BadOperation_ThrowsNamingThePointer(string contract, string message)
    {
        var exception = Should.Throw<ContractException>(() => Build(contract));

        exception.Message.ShouldBe(message);
    }

    [Fact]
    public void Build_NoOperation_AcceptsEverything()
    {
        var validator = Build("""{"method": "GET", "path": "/x"}""");

        ShouldBeValid(Body(validator, "not json", "text/plain"));
    }

    // ---- request body ----

    [Fact]
    public void Validate_RequiredBodyEmpty_ReportsIt()
    {
        var validator = PetValidator();

        Single(Body(validator, "")).ShouldBe(new ValidationProblem("body", "", "a request body is required"));
    }

    [Fact]
    public void Validate_OptionalBodyEmpty_Passes()
    {
        var validator = Build("""{"operation": {"requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}}}}""");

        ShouldBeValid(Body(validator, "", null));
    }

    [Fact]
    public void Validate_UnacceptedContentType_ReportsOneProblem()
    {
        var validator = Build("""{"operation": {"requestBody": {"content": {"application/json": {}, "application/xml": {}}}}}""");

        Single(Body(validator, "a=1", "text/plain; charset=utf-8"))
            .ShouldBe(new ValidationProblem("body", "", "content type text/plain is not accepted; expected one of: application/json, application/xml"));
        Single(Body(validator, "{}", null)).Message.ShouldBe("a Content-Type header is required; expected one of: application/json, application/xml");
    }

    [Theory]
    [InlineData("application/json", "application/json; charset=utf-8")]
    [InlineData("application/json", "Application/JSON")]
    [InlineData("application/*+json", "application/vnd.api+json")]
    [InlineData("application/*", "application/merge-patch+json")]
    [InlineData("*/*", "application/json")]
    public void Validate_ContentTypeMatchesRange_ValidatesJsonAgainstSchema(string range, string contentType)
    {
        var validator = Build("""{"operation": {"requestBody": {"content": {""" + $"\"{range}\"" + """: {"schema": {"type": "object", "required": ["a"]}}}}}}""");

        ShouldBeValid(Body(validator, """{"a": 1}""", contentType));
        Single(Body(validator, "{}", contentType)).Message.ShouldBe("missing required property 'a'");
    }

    [Fact]
    public void Validate_MostSpecificRangeWins_ItsSchemaApplies()
    {
        var validator = Build("""
            {"operation": {"requestBody": {"content": {
              "*/*": {"schema": {"type": "string"}},
              "application/json": {"schema": {"type": "object"}}}}}}
            """);

        ShouldBeValid(Body(validator, "{}", "application/json"));
        ShouldBeValid(Body(validator, "raw bytes", "application/octet-stream"));
    }

    [Fact]
    public void Validate_InvalidJson_ReportsReaderMessageWithPosition()
    {
        var validator = PetValidator();

        var problem = Single(Body(validator, """{"name": "Rex",}"""));

        problem.In.ShouldBe("body");
        problem.Pointer.ShouldBe("");
        problem.Message.ShouldStartWith("not valid JSON: ");
        problem.Message.ShouldContain("BytePositionInLine: 15");
    }

    [Fact]
    public void Validate_InvalidUtf8InBody_ReportsInsteadOfThrowing()
    {
        var validator = BodySchema("""{"type": "object", "properties": {"name": {"type": "string", "minLength": 1}}, "additionalProperties": {"type": "string", "minLength": 1}}""");
        var http = new DefaultHttpContext();
        http.Request.ContentType = "application/json";
        byte[] body = [.. "{\"name\": \"a"u8, 0xFF, .. "\", \"x"u8, 0xC3, .. "\": \"b\"}"u8];

        var problems = validator.Validate(http.Request, null, body);

        Single(problems).ShouldBe(new ValidationProblem("body", "", "not valid JSON: the body is not valid UTF-8 (byte 11)"));
    }

    [Fact]
    public void Validate_NonJsonMediaType_ChecksPresenceAndContentTypeOnly()
    {
        var validator = Build("""
            {"operation": {"requestBody": {"required": true, "content": {
              "application/x-www-form-urlencoded": {"schema": {"type": "object", "required": ["a"]}},
              "multipart/form-data": {"schema": {"type": "object"}}}}}}
            """);

        ShouldBeValid(Body(validator, "b=2", "application/x-www-form-urlencoded"));
        ShouldBeValid(Body(validator, "--x--", "multipart/form-data; boundary=x"));
        Single(Body(validator, "", "application/x-www-form-urlencoded")).Message.ShouldBe("a request body is required");
    }

    // ---- parameters ----

    private const string PetParameters = """
        [
          {"name": "petId", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^[0-9a-f]{4}$"}},
          {"name": "limit", "in": "query", "required": true, "schema": {"type": "integer", "format": "int32", "minimum": 1, "maximum": 100}},
          {"name": "status", "in": "query", "schema": {"$ref": "#/components/schemas/Status"}},
          {"name": "X-Request-Id", "in": "header", "required": true, "schema": {"type": "string", "format": "uuid"}},
          {"name": "session", "in": "cookie", "schema": {"type": "string", "minLength": 3}}
        ]
        """;

    private const string StatusComponent = """{"Status": {"type": "string", "enum": ["available", "pending", "sold"]}}""";

    private static readonly Dictionary<string, string> PetPath = new() { ["petId"] = "00af" };

    [Fact]
    public void Validate_ValidParameters_ReturnsNull()
    {
        var validator = Parameters(PetParameters, StatusComponent);

        var problems = Request(validator, "?limit=20&status=sold", [("x-request-id", "123e4567-e89b-12d3-a456-426614174000")], PetPath);

        ShouldBeValid(problems);
    }

    [Fact]
    public void Validate_BadParameters_ReportsEachWithLocationAndName()
    {
        var validator = Parameters(PetParameters, StatusComponent);
        var http = new DefaultHttpContext();
        http.Request.QueryString = new QueryString("?limit=250&status=lost");
        http.Request.Headers.Cookie = "session=ab";

        var problems = validator.Validate(http.Request, new Dictionary<string, string> { ["petId"] = "zz" }, ReadOnlyMemory<byte>.Empty);

        problems.ShouldNotBeNull();
        problems.ShouldBe([
            new ValidationProblem("header", "/X-Request-Id", "required header parameter 'X-Request-Id' is missing"),
            new ValidationProblem("path", "/petId", "must match the pattern ^[0-9a-f]{4}$"),
            new ValidationProblem("query", "/limit", "must be ≤ 100, got 250"),
            new ValidationProblem("query", "/status", "must be one of: available, pending, sold"),
            new ValidationProblem("cookie", "/session", "must be at least 3 characters long, got 2"),
        ], ignoreOrder: true);
    }

    [Fact]
    public void Validate_MissingRequiredQuery_ReportsIt()
    {
        var validator = Parameters("""[{"name": "limit", "in": "query", "required": true, "schema": {"type": "integer"}}]""");

        Single(Request(validator)).ShouldBe(new ValidationProblem("query", "/limit", "required query parameter 'limit' is missing"));
        ShouldBeValid(Request(validator, "?limit=3"));
    }

    [Theory]
    [InlineData("integer", "abc", "expected integer, got 'abc'")]
    [InlineData("integer", "1.5", "expected integer, got '1.5'")]
    [InlineData("integer", "", "expected integer, got ''")]
    [InlineData("number", "1,5", "expected number, got '1,5'")]
    [InlineData("boolean", "yes", "expected boolean (true or false), got 'yes'")]
    public void Validate_UnconvertibleParameter_ReportsExpectedType(string type, string value, string message)
    {
        var validator = Parameters($$$"""[{"name": "p", "in": "query", "schema": {"type": "{{{type}}}"}}]""");

        Single(Request(validator, "?p=" + Uri.EscapeDataString(value))).ShouldBe(new ValidationProblem("query", "/p", message));
    }

    [Theory]
    [InlineData("number", "-1.5e3")]
    [InlineData("boolean", "false")]
    [InlineData("integer", "-42")]
    public void Validate_ConvertibleParameter_Passes(string type, string value)
    {
        var validator = Parameters($$$"""[{"name": "p", "in": "query", "schema": {"type": "{{{type}}}"}}]""");

        ShouldBeValid(Request(validator, "?p=" + Uri.EscapeDataString(value)));
    }

    [Fact]
    public void Validate_Int32Parameter_RejectsOutOfRange()
    {
        var validator = Parameters("""[{"name": "p", "in": "query", "schema": {"type": "integer", "format": "int32"}}]""");

        Single(Request(validator, "?p=3000000000")).Message.ShouldBe("must be a 32-bit integer (-2147483648 to 2147483647), got 3000000000");
    }

    [Fact]
    public void Validate_ArrayQueryExploded_ReadsRepeatedKeys()
    {
        var validator = Parameters("""[{"name": "tag", "in": "query", "schema": {"type": "array", "maxItems": 3, "items": {"type": "integer", "minimum": 1}}}]""");

        ShouldBeValid(Request(validator, "?tag=1&tag=2"));
        var problems = Request(validator, "?tag=1&tag=x&tag=0");
        Single(problems).ShouldBe(new ValidationProblem("query", "/tag/1", "expected integer, got 'x'"));
        Single(Request(validator, "?tag=1&tag=0")).ShouldBe(new ValidationProblem("query", "/tag/1", "must be ≥ 1, got 0"));
        Single(Request(validator, "?tag=1&tag=2&tag=3&tag=4")).ShouldBe(new ValidationProblem("query", "/tag", "must have at most 3 items, got 4"));
    }

    [Fact]
    public void Validate_ArrayQueryNotExploded_SplitsOnCommas()
    {
        var validator = Parameters("""[{"name": "ids", "in": "query", "style": "form", "explode": false, "schema": {"type": "array", "minItems": 2, "items": {"type": "integer"}}}]""");

        ShouldBeValid(Request(validator, "?ids=1,2,3"));
        Single(Request(validator, "?ids=1,b")).ShouldBe(new ValidationProblem("query", "/ids/1", "expected integer, got 'b'"));
        Single(Request(validator, "?ids=1")).Message.ShouldBe("must have at least 2 items, got 1");
    }

    [Theory]
    [InlineData("pipeDelimited", "a|b|c")]
    [InlineData("spaceDelimited", "a b c")]
    public void Validate_DelimitedQueryArray_SplitsOnItsDelimiter(string style, string value)
    {
        var validator = Parameters($$$"""[{"name": "q", "in": "query", "style": "{{{style}}}", "explode": false, "schema": {"type": "array", "minItems": 3, "maxItems": 3}}]""");

        ShouldBeValid(Request(validator, "?q=" + Uri.EscapeDataString(value)));
    }

    [Fact]
    public void Validate_HeaderArray_SplitsSimpleStyleAndIsCaseInsensitive()
    {
        var validator = Parameters("""[{"name": "X-Ids", "in": "header", "required": true, "schema": {"type": "array", "items": {"type": "integer"}}}]""");

        ShouldBeValid(Request(validator, headers: [("x-ids", "1, 2,3")]));
        Single(Request(validator, headers: [("X-IDS", "1, two")])).ShouldBe(new ValidationProblem("header", "/X-Ids/1", "expected integer, got 'two'"));
    }

    [Fact]
    public void Validate_HeaderNameCase_DoesNotMatter()
    {
        var validator = Parameters("""[{"name": "X-Rate", "in": "header", "required": true, "schema": {"type": "integer", "maximum": 5}}]""");

        ShouldBeValid(Request(validator, headers: [("x-rate", "5")]));
        Single(Request(validator, headers: [("X-RATE", "6")])).ShouldBe(new ValidationProblem("header", "/X-Rate", "must be ≤ 5, got 6"));
    }

    [Fact]
    public void Validate_PathArray_SplitsOnCommas()
    {
        var validator = Parameters("""[{"name": "ids", "in": "path", "required": true, "schema": {"type": "array", "items": {"type": "integer"}}}]""");

        ShouldBeValid(Request(validator, path: new() { ["ids"] = "1,2" }));
        Single(Request(validator, path: new() { ["ids"] = "1,x" })).Pointer.ShouldBe("/ids/1");
    }

    [Fact]
    public void Validate_LabelAndMatrixPath_StripTheirPrefix()
    {
        var validator = Parameters("""
            [{"name": "a", "in": "path", "required": true, "style": "label", "schema": {"type": "integer"}},
             {"name": "b", "in": "path", "required": true, "style": "matrix", "explode": true, "schema": {"type": "array", "items": {"type": "integer"}}}]
            """);

        ShouldBeValid(Request(validator, path: new() { ["a"] = ".5", ["b"] = ";b=1;b=2" }));
    }

    [Fact]
    public void Validate_IgnoredHeaderParameters_AreNotRequired()
    {
        var validator = Parameters("""
            [{"name": "Accept", "in": "header", "required": true, "schema": {"type": "string"}},
             {"name": "Content-Type", "in": "header", "required": true, "schema": {"type": "string"}},
             {"name": "authorization", "in": "header", "required": true, "schema": {"type": "string"}}]
            """);

        ShouldBeValid(Request(validator));
    }

    [Fact]
    public void Validate_DeepObjectQueryParameter_IsAcceptedUncheckedButMustBePresent()
    {
        var validator = Parameters("""[{"name": "filter", "in": "query", "required": true, "style": "deepObject", "schema": {"type": "object", "required": ["x"]}}]""");

        ShouldBeValid(Request(validator, "?filter[y]=anything"));
        Single(Request(validator, "?filters[x]=1&filter=1")).ShouldBe(new ValidationProblem("query", "/filter", "required query parameter 'filter' is missing"));
    }

    [Fact]
    public void Validate_ExplodedFormObjectQueryParameter_IsAcceptedUnchecked()
    {
        var validator = Parameters("""[{"name": "point", "in": "query", "required": true, "schema": {"type": "object", "properties": {"x": {"type": "integer"}}}}]""");

        ShouldBeValid(Request(validator, "?x=not-checked"));
        ShouldBeValid(Request(validator));
    }

    [Fact]
    public void Validate_RepeatedScalarQuery_ReportsSingleValueExpected()
    {
        var validator = Parameters("""[{"name": "p", "in": "query", "schema": {"type": "string"}}]""");

        Single(Request(validator, "?p=a&p=b")).ShouldBe(new ValidationProblem("query", "/p", "expected a single value, got 2"));
    }

    [Fact]
    public void Validate_ParameterWithLoneSurrogate_IsValidatedNotThrown()
    {
        var validator = Parameters("""[{"name": "q", "in": "path", "required": true, "schema": {"type": "string", "maxLength": 2}}]""");

        ShouldBeValid(Request(validator, path: new() { ["q"] = "a\uD800" }));
        Single(Request(validator, path: new() { ["q"] = "ab\uDC00" })).Message.ShouldBe("must be at most 2 characters long, got 3");
    }

    [Fact]
    public void Validate_ParameterNameWithSlash_IsPointerEscaped()
    {
        var validator = Parameters("""[{"name": "a/b~c", "in": "query", "required": true}]""");

        Single(Request(validator)).Pointer.ShouldBe("/a~1b~0c");
    }

    [Fact]
    public void Validate_ParameterWithJsonContent_ParsesAndValidates()
    {
        var validator = Parameters("""[{"name": "f", "in": "query", "content": {"application/json": {"schema": {"type": "object", "required": ["x"]}}}}]""");

        ShouldBeValid(Request(validator, "?f=" + Uri.EscapeDataString("""{"x": 1}""")));
        Single(Request(validator, "?f=" + Uri.EscapeDataString("{}"))).ShouldBe(new ValidationProblem("query", "/f", "missing required property 'x'"));
        Single(Request(validator, "?f=" + Uri.EscapeDataString("{x"))).Message.ShouldStartWith("not valid JSON: ");
    }

    [Fact]
    public void Validate_ParameterWithJsonContentTypeOnly_ChecksTheType()
    {
        var validator = Parameters("""[{"name": "f", "in": "header", "content": {"application/json": {"schema": {"type": "object"}}}}]""");

        ShouldBeValid(Request(validator, headers: [("f", "{}")]));
        Single(Request(validator, headers: [("f", "5")])).ShouldBe(new ValidationProblem("header", "/f", "expected object, got integer"));
    }

    [Fact]
    public void Validate_ParameterTypeBehindAnyOf_ConvertsToEitherType()
    {
        var validator = Parameters("""[{"name": "p", "in": "query", "schema": {"anyOf": [{"type": "integer", "minimum": 10}, {"type": "string", "enum": ["all"]}]}}]""");

        ShouldBeValid(Request(validator, "?p=12"));
        ShouldBeValid(Request(validator, "?p=all"));
        Request(validator, "?p=5").ShouldBe([
            new ValidationProblem("query", "/p", "does not match any of the 2 alternatives; the closest is alternative 1, whose problems follow"),
            new ValidationProblem("query", "/p", "must be ≥ 10, got 5"),
        ]);
    }

    [Fact]
    public void Validate_ParametersAndBody_ReportsBoth()
    {
        var validator = Build("""
            {"operation": {
              "parameters": [{"name": "dry", "in": "query", "schema": {"type": "boolean"}}],
              "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["a"]}}}}}}
            """);
        var http = new DefaultHttpContext();
        http.Request.QueryString = new QueryString("?dry=maybe");
        http.Request.ContentType = "application/json";

        var problems = validator.Validate(http.Request, null, "{}"u8.ToArray());

        problems.ShouldBe([
            new ValidationProblem("query", "/dry", "expected boolean (true or false), got 'maybe'"),
            new ValidationProblem("body", "", "missing required property 'a'"),
        ]);
    }

    [Fact]
    public void Validate_SameValidatorManyTimes_GivesIndependentResults()
    {
        var validator = PetValidator();

        var bad = Body(validator, """{"name": 1}""");
        var good = Body(validator, """{"name": "Rex"}""");

        ShouldBeValid(good);
        Single(bad).Pointer.ShouldBe("/name");
    }
}
