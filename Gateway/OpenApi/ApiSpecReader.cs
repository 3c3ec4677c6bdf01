using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Gateway.Routing;

namespace Edge.Gateway.OpenApi;

/// <summary>
/// Turns a parsed OpenAPI 3.0 / 3.1 or Swagger 2.0 document into <see cref="ApiSpec"/>: every operation becomes a
/// self-contained OpenAPI 3.1 contract. Parameter, body, response and example <c>$ref</c>s are inlined; schema
/// <c>$ref</c>s become <c>#/components/schemas/Name</c> with the reached schemas copied beside the operation; 3.0 and
/// 2.0 idioms (<c>nullable</c>, boolean exclusive bounds, body/formData parameters) are rewritten in 3.1 form.
/// Problems are collected per operation, so one bad operation never hides the others.
/// </summary>
internal sealed class ApiSpecReader
{
    public const int MaxOperations = 5000;

    private const string SchemaPrefix = "#/components/schemas/";
    private const string DefinitionsPrefix = "#/definitions/";
    private const int MaxRefHops = 32;

    private static readonly string[] OperationKeys = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

    // Keywords whose value is one schema, a list of schemas or a map of schemas: followed when normalising.
    private static readonly string[] SchemaKeys = ["additionalProperties", "not", "contains", "propertyNames", "if", "then", "else", "unevaluatedProperties", "unevaluatedItems"];
    private static readonly string[] SchemaListKeys = ["allOf", "anyOf", "oneOf", "prefixItems"];
    private static readonly string[] SchemaMapKeys = ["properties", "patternProperties", "$defs", "dependentSchemas"];

    // Swagger 2.0 parameter keywords that belong to the parameter's schema in 3.x.
    private static readonly string[] Swagger2SchemaKeys =
    [
        "type", "format", "items", "enum", "default", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
        "minLength", "maxLength", "pattern", "minItems", "maxItems", "uniqueItems", "multipleOf",
    ];

    private readonly JsonObject _root;
    private readonly bool _swagger2;
    private readonly bool _v30;
    private readonly List<SpecProblem> _problems = [];
    private readonly List<string> _warnings = [];

    // Component schemas normalised once and shared by every operation that reaches them.
    private readonly Dictionary<string, (JsonNode? Schema, List<string> Refs)> _components = new(StringComparer.Ordinal);
    private readonly HashSet<string> _inlining = new(StringComparer.Ordinal);

    private string? _operation;
    private List<string>? _refs;

    private ApiSpecReader(JsonObject root, bool swagger2, bool v30)
    {
        _root = root;
        _swagger2 = swagger2;
        _v30 = v30;
    }

    /// <summary>Reads the document; throws <see cref="ApiSpecException"/> when it is not an importable OpenAPI document.</summary>
    public static ApiSpec Read(JsonNode document)
    {
        if (document is not JsonObject root)
        {
            throw new ApiSpecException("the spec must be an object with 'openapi' (3.x) or 'swagger' (2.0) at its root");
        }

        string version;
        bool swagger2 = false, v30 = false;
        if (Text(root["openapi"]) is { } openapi)
        {
            if (!openapi.StartsWith("3.", StringComparison.Ordinal))
            {
                throw new ApiSpecException($"openapi version '{openapi}' is not supported: edge reads OpenAPI 3.0, 3.1 and Swagger 2.0");
            }

            version = openapi;
            v30 = openapi.StartsWith("3.0", StringComparison.Ordinal);
        }
        else if (root["swagger"] is { } swagger)
        {
            // YAML reads an unquoted `swagger: 2.0` as the number 2: accepted, as real specs are written so.
            if (Text(swagger) != "2.0" && !(swagger is JsonValue number && number.TryGetValue<double>(out var n) && n == 2.0))
            {
                throw new ApiSpecException($"swagger version '{swagger.ToJsonString()}' is not supported: edge reads OpenAPI 3.0, 3.1 and Swagger 2.0");
            }

            version = "2.0";
            swagger2 = true;
        }
        else
        {
            throw new ApiSpecException("not an OpenAPI document: expected 'openapi: 3.x' or 'swagger: \"2.0\"' at the root");
        }

        return new ApiSpecReader(root, swagger2, v30).ReadDocument(version);
    }

    private ApiSpec ReadDocument(string version)
    {
        var info = _root["info"] as JsonObject;
        var paths = _root["paths"];
        if (paths is not null and not JsonObject)
        {
            throw new ApiSpecException("/paths: must be an object");
        }

        if (_root["webhooks"] is JsonObject { Count: > 0 } webhooks)
        {
            _warnings.Add($"the spec's {webhooks.Count} webhook(s) are not imported: webhooks are requests the API sends, not routes edge serves");
        }

        if (paths is null || ((JsonObject)paths).Count == 0)
        {
            _warnings.Add("the spec defines no paths: nothing to import");
        }

        var operations = new List<SpecOperation>();
        var routes = new Dictionary<string, string>(StringComparer.Ordinal);
        var operationIds = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (template, pathItemNode) in (JsonObject?)paths ?? [])
        {
            var itemPointer = "/paths/" + Escape(template);
            if (template.StartsWith("x-", StringComparison.Ordinal))
            {
                continue;
            }

            _operation = template;
            var pathItem = Deref(pathItemNode, itemPointer) as JsonObject;
            if (pathItem is null)
            {
                Problem(itemPointer, "must be a path item object");
                continue;
            }

            if (!template.StartsWith('/'))
            {
                Problem(itemPointer, "a path must start with '/'");
                continue;
            }

            foreach (var key in OperationKeys)
            {
                if (pathItem[key] is not { } operationNode)
                {
                    continue;
                }

                var method = key.ToUpperInvariant();
                var pointer = itemPointer + "/" + key;
                _operation = $"{method} {template}";
                if (operations.Count >= MaxOperations)
                {
                    throw new ApiSpecException($"the spec has more than {MaxOperations} operations");
                }

                if (operationNode is not JsonObject operation)
                {
                    Problem(pointer, "must be an operation object");
                    continue;
                }

                var operationId = Text(operation["operationId"]);
                if (operationId is not null)
                {
                    _operation = operationId;
                    if (operationIds.TryGetValue(operationId, out var first))
                    {
                        Problem(pointer + "/operationId", $"operationId '{operationId}' is already used by {first}");
                        continue;
                    }

                    operationIds[operationId] = $"{method} {template}";
                }

                if (!Admin.Validation.Methods.Contains(method))
                {
                    Problem(pointer, $"method {method} is not served by edge (it serves {string.Join(", ", Admin.Validation.Methods)})");
                    continue;
                }

                var before = _problems.Count;
                var read = ReadOperation(method, template, pathItem, operation, pointer, itemPointer);
                if (read is null || _problems.Count > before)
                {
                    continue;
                }

                var routeKey = RoutePattern.TryParse(template, out var pattern, out _) ? pattern!.Key : template;
                if (routes.TryGetValue(method + " " + routeKey, out var clash))
                {
                    Problem(pointer, $"{method} {template} is the same route as {clash} (parameter names aside)");
                    continue;
                }

                routes[method + " " + routeKey] = $"{method} {template}";
                operations.Add(read);
            }
        }

        _operation = null;
        return new ApiSpec(
            version,
            Text(info?["title"]),
            Text(info?["version"]),
            Text(info?["description"]),
            BasePath(),
            operations,
            _problems,
            _warnings);
    }

    private SpecOperation? ReadOperation(string method, string template, JsonObject pathItem, JsonObject operation, string pointer, string itemPointer)
    {
        if (!RoutePattern.TryParse(template, out _, out var routeProblem))
        {
            Problem(itemPointer, $"path '{template}' cannot be served: {routeProblem}");
            return null;
        }

        _refs = [];
        var contractOperation = new JsonObject();
        foreach (var key in new[] { "operationId", "summary", "description", "tags", "deprecated" })
        {
            if (operation[key] is { } value)
            {
                contractOperation[key] = value.DeepClone();
            }
        }

        var parameters = new JsonArray();
        JsonObject? body = null;
        var formFields = new List<(JsonObject Parameter, string Pointer)>();
        foreach (var (parameter, at) in MergedParameters(pathItem, itemPointer, operation, pointer))
        {
            var location = Text(parameter["in"]);
            if (_swagger2 && location == "body")
            {
                body = Swagger2Body(parameter, at, Consumes(operation));
                continue;
            }

            if (_swagger2 && location == "formData")
            {
                formFields.Add((parameter, at));
                continue;
            }

            if (ReadParameter(parameter, at) is { } read)
            {
                parameters.Add(read);
            }
        }

        foreach (var name in PathParameterNames(template))
        {
            if (!parameters.Any(p => Text(p!["in"]) == "path" && Text(p["name"]) == name))
            {
                // A template parameter the spec forgot to declare still routes; it is declared here as a string.
                parameters.Add(new JsonObject { ["name"] = name, ["in"] = "path", ["required"] = true, ["schema"] = new JsonObject { ["type"] = "string" } });
            }
        }

        if (parameters.Count > 0)
        {
            contractOperation["parameters"] = parameters;
        }

        if (formFields.Count > 0)
        {
            body = Swagger2Form(formFields, Consumes(operation));
        }
        else if (!_swagger2 && operation["requestBody"] is { } requestBody)
        {
            body = ReadRequestBody(requestBody, pointer + "/requestBody");
        }

        if (body is not null)
        {
            contractOperation["requestBody"] = body;
        }

        if (operation["responses"] is { } responses)
        {
            contractOperation["responses"] = ReadResponses(responses, pointer + "/responses", Produces(operation));
        }

        var components = new JsonObject();
        foreach (var name in Closure(_refs))
        {
            components[name] = _components[name].Schema?.DeepClone();
        }

        var contract = new JsonObject
        {
            ["method"] = method,
            ["path"] = template,
            ["operation"] = contractOperation,
        };
        if (components.Count > 0)
        {
            contract["components"] = new JsonObject { ["schemas"] = components };
        }

        var operationId = Text(operation["operationId"]);
        var summary = Text(operation["summary"]);
        var description = Text(operation["description"]);
        var text = summary is null ? description : description is null || description == summary ? summary : summary + "\n\n" + description;
        return new SpecOperation(
            method,
            template,
            operationId,
            EdgeName(operation) ?? operationId ?? $"{method} {template}",
            text,
            contract,
            operation["x-edge"] as JsonObject,
            pointer);
    }

    /// <summary>An edge export keeps an endpoint name that could not be its operationId in <c>x-edge.name</c>.</summary>
    private static string? EdgeName(JsonObject operation) =>
        Text((operation["x-edge"] as JsonObject)?["name"]) is { Length: > 0 and <= 200 } name ? name : null;

    // ---- parameters ----

    private IEnumerable<(JsonObject Parameter, string Pointer)> MergedParameters(JsonObject pathItem, string itemPointer, JsonObject operation, string pointer)
    {
        var merged = new List<(JsonObject, string)>();
        var seen = new Dictionary<(string?, string?), int>();
        foreach (var (list, at) in new[] { (pathItem["parameters"], itemPointer + "/parameters"), (operation["parameters"], pointer + "/parameters") })
        {
            if (list is null)
            {
                continue;
            }

            if (list is not JsonArray array)
            {
                Problem(at, "must be an array");
                continue;
            }

            for (var i = 0; i < array.Count; i++)
            {
                var itemAt = at + "/" + i.ToString(CultureInfo.InvariantCulture);
                if (Deref(array[i], itemAt) is not JsonObject parameter)
                {
                    Problem(itemAt, "must be a parameter object");
                    continue;
                }

                // An operation parameter replaces the path item's one with the same name and location.
                var key = (Text(parameter["name"]), Text(parameter["in"]));
                if (seen.TryGetValue(key, out var index))
                {
                    merged[index] = (parameter, itemAt);
                }
                else
                {
                    seen[key] = merged.Count;
                    merged.Add((parameter, itemAt));
                }
            }
        }

        return merged;
    }

    private JsonObject? ReadParameter(JsonObject parameter, string at)
    {
        var name = Text(parameter["name"]);
        var location = Text(parameter["in"]);
        if (string.IsNullOrEmpty(name))
        {
            Problem(at + "/name", "a parameter needs a name");
            return null;
        }

        if (location is not ("path" or "query" or "header" or "cookie"))
        {
            Problem(at + "/in", $"parameter '{name}': 'in' must be path, query, header or cookie, got '{location}'");
            return null;
        }

        var read = new JsonObject { ["name"] = name, ["in"] = location };
        var required = location == "path" || parameter["required"]?.GetValueKind() == JsonValueKind.True;
        read["required"] = required;
        foreach (var key in new[] { "description", "deprecated", "style", "explode", "allowEmptyValue", "example" })
        {
            if (parameter[key] is { } value)
            {
                read[key] = value.DeepClone();
            }
        }

        JsonNode? schema;
        if (_swagger2)
        {
            schema = Swagger2ParameterSchema(parameter);
            switch (Text(parameter["collectionFormat"]))
            {
                case "multi":
                    read["style"] = "form";
                    read["explode"] = true;
                    break;
                case "ssv":
                    read["style"] = "spaceDelimited";
                    read["explode"] = false;
                    break;
                case "pipes":
                    read["style"] = "pipeDelimited";
                    read["explode"] = false;
                    break;
                case "csv" or null when Text(parameter["type"]) == "array":
                    read["style"] = location == "query" ? "form" : "simple";
                    read["explode"] = false;
                    break;
            }
        }
        else if (parameter["schema"] is { } declared)
        {
            schema = declared;
        }
        else if (parameter["content"] is JsonObject content && content.Count > 0)
        {
            schema = (content.First().Value as JsonObject)?["schema"];
        }
        else
        {
            schema = null;
        }

        if (schema is not null)
        {
            read["schema"] = Schema(schema, at + (_swagger2 ? "" : "/schema"));
        }

        if (!_swagger2 && parameter["examples"] is JsonObject examples)
        {
            read["examples"] = Examples(examples, at + "/examples");
        }

        return read;
    }

    private static JsonObject Swagger2ParameterSchema(JsonObject parameter)
    {
        var schema = new JsonObject();
        foreach (var key in Swagger2SchemaKeys)
        {
            if (parameter[key] is { } value)
            {
                schema[key] = key == "items" && value is JsonObject items ? Swagger2ParameterSchema(items) : value.DeepClone();
            }
        }

        if (Text(schema["type"]) == "file")
        {
            schema["type"] = "string";
            schema["format"] = "binary";
        }

        return schema;
    }

    private static IEnumerable<string> PathParameterNames(string template) =>
        template.Split('/').Where(s => s.Length > 2 && s[0] == '{' && s[^1] == '}').Select(s => s[1..^1]);

    // ---- bodies ----

    private JsonObject Swagger2Body(JsonObject parameter, string at, IReadOnlyList<string> consumes)
    {
        var schema = parameter["schema"] is { } s ? Schema(s, at + "/schema") : null;
        var content = new JsonObject();
        foreach (var type in consumes)
        {
            content[type] = schema is null ? new JsonObject() : new JsonObject { ["schema"] = schema.DeepClone() };
        }

        var body = new JsonObject { ["required"] = parameter["required"]?.GetValueKind() == JsonValueKind.True, ["content"] = content };
        if (Text(parameter["description"]) is { } description)
        {
            body["description"] = description;
        }

        return body;
    }

    private JsonObject Swagger2Form(List<(JsonObject Parameter, string Pointer)> fields, IReadOnlyList<string> consumes)
    {
        var properties = new JsonObject();
        var required = new JsonArray();
        var multipart = consumes.Contains("multipart/form-data");
        foreach (var (parameter, at) in fields)
        {
            var name = Text(parameter["name"]);
            if (string.IsNullOrEmpty(name))
            {
                Problem(at + "/name", "a parameter needs a name");
                continue;
            }

            multipart |= Text(parameter["type"]) == "file";
            properties[name] = Schema(Swagger2ParameterSchema(parameter), at);
            if (parameter["required"]?.GetValueKind() == JsonValueKind.True)
            {
                required.Add(name);
            }
        }

        var schema = new JsonObject { ["type"] = "object", ["properties"] = properties };
        if (required.Count > 0)
        {
            schema["required"] = required;
        }

        var type = multipart ? "multipart/form-data" : "application/x-www-form-urlencoded";
        return new JsonObject
        {
            ["required"] = required.Count > 0,
            ["content"] = new JsonObject { [type] = new JsonObject { ["schema"] = schema } },
        };
    }

    private JsonObject? ReadRequestBody(JsonNode node, string at)
    {
        if (Deref(node, at) is not JsonObject body)
        {
            Problem(at, "must be a request body object");
            return null;
        }

        var read = new JsonObject { ["required"] = body["required"]?.GetValueKind() == JsonValueKind.True };
        if (Text(body["description"]) is { } description)
        {
            read["description"] = description;
        }

        read["content"] = Content(body["content"], at + "/content");
        return read;
    }

    private JsonObject Content(JsonNode? node, string at)
    {
        var content = new JsonObject();
        if (node is null)
        {
            return content;
        }

        if (node is not JsonObject media)
        {
            Problem(at, "must be an object of media types");
            return content;
        }

        foreach (var (type, entryNode) in media)
        {
            var entryAt = at + "/" + Escape(type);
            if (entryNode is not JsonObject entry)
            {
                Problem(entryAt, "must be a media type object");
                continue;
            }

            var read = new JsonObject();
            if (entry["schema"] is { } schema)
            {
                read["schema"] = Schema(schema, entryAt + "/schema");
            }

            if (entry["example"] is { } example)
            {
                read["example"] = example.DeepClone();
            }

            if (entry["examples"] is JsonObject examples)
            {
                read["examples"] = Examples(examples, entryAt + "/examples");
            }

            content[type] = read;
        }

        return content;
    }

    private JsonObject Examples(JsonObject examples, string at)
    {
        var read = new JsonObject();
        foreach (var (name, exampleNode) in examples)
        {
            if (Deref(exampleNode, at + "/" + Escape(name)) is { } example)
            {
                read[name] = example.DeepClone();
            }
        }

        return read;
    }

    // ---- responses ----

    private JsonObject ReadResponses(JsonNode node, string at, IReadOnlyList<string> produces)
    {
        var read = new JsonObject();
        if (node is not JsonObject responses)
        {
            Problem(at, "must be an object of responses");
            return read;
        }

        foreach (var (status, responseNode) in responses)
        {
            if (status.StartsWith("x-", StringComparison.Ordinal))
            {
                continue;
            }

            var responseAt = at + "/" + Escape(status);
            if (Deref(responseNode, responseAt) is not JsonObject response)
            {
                Problem(responseAt, "must be a response object");
                continue;
            }

            var item = new JsonObject { ["description"] = Text(response["description"]) ?? "" };
            if (_swagger2)
            {
                if (response["schema"] is { } schema)
                {
                    var normalised = Schema(schema, responseAt + "/schema");
                    var examples = response["examples"] as JsonObject;
                    var content = new JsonObject();
                    foreach (var type in produces)
                    {
                        var media = new JsonObject { ["schema"] = normalised?.DeepClone() };
                        if (examples?[type] is { } example)
                        {
                            media["example"] = example.DeepClone();
                        }

                        content[type] = media;
                    }

                    item["content"] = content;
                }
            }
            else if (response["content"] is { } content)
            {
                item["content"] = Content(content, responseAt + "/content");
            }

            read[status] = item;
        }

        return read;
    }

    private IReadOnlyList<string> Consumes(JsonObject operation) => MediaTypes(operation["consumes"] ?? _root["consumes"]);

    private IReadOnlyList<string> Produces(JsonObject operation) => MediaTypes(operation["produces"] ?? _root["produces"]);

    private static IReadOnlyList<string> MediaTypes(JsonNode? node) =>
        node is JsonArray { Count: > 0 } list && list.Select(Text).OfType<string>().ToList() is { Count: > 0 } types
            ? types
            : ["application/json"];

    // ---- schemas ----

    /// <summary>A normalised copy of a schema; component references are recorded for the operation's closure.</summary>
    private JsonNode? Schema(JsonNode schema, string at)
    {
        if (schema is JsonValue value && value.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
        {
            return value.DeepClone();
        }

        if (schema is not JsonObject obj)
        {
            Problem(at, "a schema must be an object");
            return null;
        }

        if (obj["$ref"] is { } refNode)
        {
            var reference = Text(refNode);
            if (reference is null)
            {
                Problem(at + "/$ref", "must be a string");
                return null;
            }

            var componentName = ComponentName(reference);
            JsonNode? target;
            if (componentName is not null)
            {
                target = _swagger2 ? (_root["definitions"] as JsonObject)?[componentName] : (_root["components"]?["schemas"] as JsonObject)?[componentName];
                if (target is null)
                {
                    Problem(at + "/$ref", $"unresolvable $ref '{reference}': no such schema");
                    return null;
                }

                _refs?.Add(componentName);
                EnsureComponent(componentName, target);
                var reference31 = new JsonObject { ["$ref"] = SchemaPrefix + Escape(componentName) };
                if (_v30 || _swagger2)
                {
                    // Before 3.1, keywords beside $ref are ignored.
                    return reference31;
                }

                var siblings = Copy(obj, at, skip: "$ref");
                if (siblings is JsonObject extra && extra.Count > 0)
                {
                    return new JsonObject { ["allOf"] = new JsonArray(reference31, extra) };
                }

                return reference31;
            }

            // Any other local reference (into a path, a property of a component…) is inlined.
            if (!_inlining.Add(reference))
            {
                Problem(at + "/$ref", $"$ref '{reference}' refers to itself: recursion must go through a named schema");
                return null;
            }

            try
            {
                target = ResolvePointer(reference, at + "/$ref");
                return target is null ? null : Schema(target, at);
            }
            finally
            {
                _inlining.Remove(reference);
            }
        }

        return Copy(obj, at, skip: null);
    }

    private JsonNode Copy(JsonObject schema, string at, string? skip)
    {
        var copy = new JsonObject();
        foreach (var (key, value) in schema)
        {
            if (key == skip || value is null)
            {
                continue;
            }

            var keyAt = at + "/" + Escape(key);
            if (key == "items" && value is JsonObject or JsonValue)
            {
                copy[key] = Schema(value, keyAt);
            }
            else if (key == "items" && value is JsonArray tuple)
            {
                // Draft 4 tuple form: the 2020-12 name is prefixItems.
                copy["prefixItems"] = new JsonArray([.. tuple.Select((s, i) => s is null ? null : Schema(s, keyAt + "/" + i.ToString(CultureInfo.InvariantCulture)))]);
            }
            else if (SchemaKeys.Contains(key))
            {
                copy[key] = Schema(value, keyAt);
            }
            else if (SchemaListKeys.Contains(key) && value is JsonArray list)
            {
                copy[key] = new JsonArray([.. list.Select((s, i) => s is null ? null : Schema(s, keyAt + "/" + i.ToString(CultureInfo.InvariantCulture)))]);
            }
            else if (SchemaMapKeys.Contains(key) && value is JsonObject map)
            {
                var mapped = new JsonObject();
                foreach (var (name, sub) in map)
                {
                    mapped[name] = sub is null ? null : Schema(sub, keyAt + "/" + Escape(name));
                }

                copy[key] = mapped;
            }
            else
            {
                copy[key] = value.DeepClone();
            }
        }

        To31(copy);
        return copy;
    }

    /// <summary>OpenAPI 3.0 / Swagger 2.0 schema idioms rewritten the 3.1 way.</summary>
    private void To31(JsonObject schema)
    {
        if (!_v30 && !_swagger2)
        {
            return;
        }

        var nullable = schema["nullable"]?.GetValueKind() == JsonValueKind.True || schema["x-nullable"]?.GetValueKind() == JsonValueKind.True;
        if (nullable && Text(schema["type"]) is { } type)
        {
            schema["type"] = new JsonArray(type, "null");
            schema.Remove("nullable");
            schema.Remove("x-nullable");
        }

        foreach (var (exclusive, bound) in new[] { ("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum") })
        {
            var kind = schema[exclusive]?.GetValueKind();
            if (kind == JsonValueKind.True && schema[bound] is { } limit)
            {
                schema[exclusive] = limit.DeepClone();
                schema.Remove(bound);
            }
            else if (kind is JsonValueKind.True or JsonValueKind.False)
            {
                schema.Remove(exclusive);
            }
        }

        if (_swagger2 && Text(schema["type"]) == "file")
        {
            schema["type"] = "string";
            schema["format"] = "binary";
        }
    }

    private string? ComponentName(string reference)
    {
        var prefix = _swagger2 ? DefinitionsPrefix : SchemaPrefix;
        if (!reference.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = reference[prefix.Length..];
        return rest.Contains('/') ? null : Unescape(rest);
    }

    private void EnsureComponent(string name, JsonNode target)
    {
        if (_components.ContainsKey(name))
        {
            return;
        }

        // Registered before it is normalised, so a recursive schema ends at its own name.
        _components[name] = (null, []);
        var (savedRefs, savedOperation) = (_refs, _operation);
        _refs = [];
        try
        {
            var at = (_swagger2 ? "/definitions/" : "/components/schemas/") + Escape(name);
            _operation = null;
            var schema = Schema(target, at);
            _components[name] = (schema, _refs);
        }
        finally
        {
            (_refs, _operation) = (savedRefs, savedOperation);
        }
    }

    private IEnumerable<string> Closure(List<string> direct)
    {
        var reached = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(direct);
        while (pending.TryPop(out var name))
        {
            if (reached.Add(name) && _components.TryGetValue(name, out var component))
            {
                foreach (var next in component.Refs)
                {
                    pending.Push(next);
                }
            }
        }

        return reached;
    }

    // ---- references ----

    /// <summary>Follows a chain of <c>$ref</c> objects (parameters, responses, bodies, examples, path items).</summary>
    private JsonNode? Deref(JsonNode? node, string at)
    {
        for (var hops = 0; node is JsonObject obj && obj["$ref"] is { } refNode; hops++)
        {
            if (hops == MaxRefHops)
            {
                Problem(at, $"more than {MaxRefHops} $refs in a row (a reference loop?)");
                return null;
            }

            if (Text(refNode) is not { } reference)
            {
                Problem(at + "/$ref", "must be a string");
                return null;
            }

            node = ResolvePointer(reference, at + "/$ref");
        }

        return node;
    }

    private JsonNode? ResolvePointer(string reference, string at)
    {
        if (!reference.StartsWith('#'))
        {
            Problem(at, $"unresolvable $ref '{reference}': references to other files are not followed; bundle the spec into one document");
            return null;
        }

        JsonNode? node = _root;
        var pointer = Uri.UnescapeDataString(reference[1..]);
        if (pointer.Length > 0)
        {
            if (pointer[0] != '/')
            {
                Problem(at, $"unresolvable $ref '{reference}': not a JSON pointer");
                return null;
            }

            foreach (var raw in pointer[1..].Split('/'))
            {
                var segment = Unescape(raw);
                node = node switch
                {
                    JsonObject o => o[segment],
                    JsonArray a when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count => a[i],
                    _ => null,
                };
                if (node is null)
                {
                    Problem(at, $"unresolvable $ref '{reference}': nothing at that location");
                    return null;
                }
            }
        }

        return node;
    }

    // ---- servers ----

    private string BasePath()
    {
        string? path;
        if (_swagger2)
        {
            path = Text(_root["basePath"]);
        }
        else if (_root["servers"] is JsonArray { Count: > 0 } servers && servers[0] is JsonObject server && Text(server["url"]) is { } url)
        {
            // Server variables take their defaults: "{scheme}://host/{base}" → the default of "base".
            if (server["variables"] is JsonObject variables)
            {
                foreach (var (name, variable) in variables)
                {
                    url = url.Replace("{" + name + "}", Text(variable?["default"]) ?? "", StringComparison.Ordinal);
                }
            }

            if (servers.Count > 1)
            {
                _warnings.Add($"the spec lists {servers.Count} servers: the base path comes from the first ({url})");
            }

            path = Uri.TryCreate(url, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https"
                ? absolute.AbsolutePath
                : url.StartsWith('/') ? url.Split('?', '#')[0] : null;
        }
        else
        {
            path = null;
        }

        path = path is null ? "" : Uri.UnescapeDataString(path).TrimEnd('/');
        if (path.Length > 0 && !RoutePattern.TryParse(path, out _, out var problem))
        {
            _warnings.Add($"the server's base path '{path}' cannot prefix routes ({problem}): it is ignored");
            return "";
        }

        return path;
    }

    // ---- helpers ----

    private void Problem(string pointer, string message) => _problems.Add(new SpecProblem(_operation, pointer, message));

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    public static string Escape(string segment) => segment.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    private static string Unescape(string segment) => segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
}
