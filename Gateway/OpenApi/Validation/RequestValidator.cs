using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Edge.Gateway.OpenApi.Validation;

/// <summary>
/// Checks a request against one endpoint's contract (parameters and JSON request body) before the handler
/// runs. Built once per contract: schemas become a tree of <see cref="SchemaNode"/> checks with regexes
/// compiled and enums frozen, so a request costs a JSON parse and a walk of that tree. Every problem is
/// reported (up to <see cref="ValidationContext.MaxProblems"/>), each with where it is.
/// </summary>
internal sealed class RequestValidator
{
    private const int MaxStackParameters = 32;

    // A per-thread buffer that grew past this for one huge parameter is not kept.
    private const int MaxRetainedBuffer = 64 * 1024;

    // OpenAPI: header parameters named Accept, Content-Type or Authorization are ignored.
    private static readonly HashSet<string> IgnoredHeaders = new(StringComparer.OrdinalIgnoreCase) { "Accept", "Content-Type", "Authorization" };
    private static readonly string[] Locations = ["path", "query", "header", "cookie"];
    // The relaxed encoder escapes only what JSON requires: the text is read back by the validator, never served,
    // and unescaped strings are read without allocating (SchemaNode.ValidateText).
    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // PERF: converted parameter values are written to one per-thread buffer and parsed as one document.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _threadBuffer;

    [ThreadStatic]
    private static Utf8JsonWriter? _threadWriter;

    private readonly ParameterValidator[] _parameters;
    private readonly BodyValidator? _body;

    private RequestValidator(ParameterValidator[] parameters, BodyValidator? body)
    {
        _parameters = parameters;
        _body = body;
    }

    /// <summary>Compiles the contract's parameters and request body; throws <see cref="ContractException"/> naming the bad place.</summary>
    public static RequestValidator Build(JsonObject contract)
    {
        var compiler = new SchemaCompiler(contract);
        if (!contract.TryGetPropertyValue("operation", out var operationNode) || operationNode is null)
        {
            return new RequestValidator([], null);
        }

        if (operationNode is not JsonObject operation)
        {
            throw new ContractException("operation: must be an object");
        }

        var parameters = ReadParameters(operation, compiler);
        var body = ReadBody(operation, compiler);
        compiler.Complete();

        var validators = new ParameterValidator[parameters.Count];
        for (var i = 0; i < parameters.Count; i++)
        {
            validators[i] = parameters[i]();
        }

        return new RequestValidator(validators, body);
    }

    /// <summary>Null when the request is valid; else every problem found. <paramref name="checkBody"/> false checks the parameters only (a streamed body).</summary>
    public IReadOnlyList<ValidationProblem>? Validate(HttpRequest request, IReadOnlyDictionary<string, string>? pathParameters, ReadOnlyMemory<byte> body, bool checkBody = true)
    {
        var context = ValidationContext.Rent();
        if (_parameters.Length > 0)
        {
            ValidateParameters(request, pathParameters, context);
        }

        if (checkBody)
        {
            _body?.Validate(request, body, context);
        }

        return context.TakeProblems();
    }

    private void ValidateParameters(HttpRequest request, IReadOnlyDictionary<string, string>? pathParameters, ValidationContext context)
    {
        var buffer = _threadBuffer ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        var writer = _threadWriter ??= new Utf8JsonWriter(buffer, WriterOptions);
        writer.Reset(buffer);

        var written = _parameters.Length <= MaxStackParameters ? stackalloc int[_parameters.Length] : new int[_parameters.Length];
        var count = 0;
        writer.WriteStartArray();
        for (var i = 0; i < _parameters.Length; i++)
        {
            if (_parameters[i].TryWrite(request, pathParameters, writer, context))
            {
                written[count++] = i;
            }
        }

        writer.WriteEndArray();
        writer.Flush();
        if (count > 0)
        {
            using var document = JsonDocument.Parse(buffer.WrittenMemory);
            var k = 0;
            foreach (var value in document.RootElement.EnumerateArray())
            {
                var parameter = _parameters[written[k++]];
                context.Start(parameter.In, parameter.Pointer);
                parameter.Schema!.Validate(value, context);
            }
        }

        if (buffer.Capacity > MaxRetainedBuffer)
        {
            _threadBuffer = null;
            _threadWriter = null;
        }
    }

    /// <summary>
    /// Compiles each parameter's schema now, and returns factories that build the validators once
    /// <see cref="SchemaCompiler.Complete"/> has compiled what the schemas refer to (types are read through $ref).
    /// </summary>
    private static List<Func<ParameterValidator>> ReadParameters(JsonObject operation, SchemaCompiler compiler)
    {
        var factories = new List<Func<ParameterValidator>>();
        if (!operation.TryGetPropertyValue("parameters", out var parametersNode) || parametersNode is null)
        {
            return factories;
        }

        if (parametersNode is not JsonArray parameters)
        {
            throw new ContractException("operation/parameters: must be an array");
        }

        for (var i = 0; i < parameters.Count; i++)
        {
            var pointer = $"operation/parameters/{i}";
            if (parameters[i] is not JsonObject parameter)
            {
                throw new ContractException($"{pointer}: must be an object");
            }

            var name = Text(parameter, "name", pointer) ?? throw new ContractException($"{pointer}/name: is required");
            var location = Text(parameter, "in", pointer);
            if (location is null || Array.IndexOf(Locations, location) < 0)
            {
                throw new ContractException($"{pointer}/in: must be one of path, query, header, cookie");
            }

            if (location == "header" && IgnoredHeaders.Contains(name))
            {
                continue;
            }

            var required = Flag(parameter, "required", pointer) ?? false;
            var style = ParseStyle(Text(parameter, "style", pointer), location, pointer);
            var explode = Flag(parameter, "explode", pointer) ?? style == ParameterStyle.Form;

            SchemaNode? schema = null;
            var jsonContent = false;
            if (parameter.TryGetPropertyValue("schema", out var schemaNode))
            {
                schema = compiler.Compile(schemaNode, SchemaCompiler.Child(pointer, "schema"));
            }
            else if (parameter["content"] is JsonObject content && content.Count > 0)
            {
                var (mediaType, media) = content.First();
                var mediaPointer = SchemaCompiler.Child(SchemaCompiler.Child(pointer, "content"), mediaType);
                jsonContent = IsJson(mediaType);
                if (media is JsonObject mediaObject && mediaObject.TryGetPropertyValue("schema", out var contentSchema) && jsonContent)
                {
                    schema = compiler.Compile(contentSchema, SchemaCompiler.Child(mediaPointer, "schema"));
                }
            }

            factories.Add(() => new ParameterValidator(name, location, required, style, explode, schema, jsonContent));
        }

        return factories;
    }

    private static BodyValidator? ReadBody(JsonObject operation, SchemaCompiler compiler)
    {
        if (!operation.TryGetPropertyValue("requestBody", out var bodyNode) || bodyNode is null)
        {
            return null;
        }

        const string pointer = "operation/requestBody";
        if (bodyNode is not JsonObject requestBody)
        {
            throw new ContractException($"{pointer}: must be an object");
        }

        var required = Flag(requestBody, "required", pointer) ?? false;
        var ranges = new List<MediaTypeRange>();
        if (requestBody.TryGetPropertyValue("content", out var contentNode) && contentNode is not null)
        {
            if (contentNode is not JsonObject content)
            {
                throw new ContractException($"{pointer}/content: must be an object");
            }

            foreach (var (mediaType, media) in content)
            {
                var mediaPointer = SchemaCompiler.Child($"{pointer}/content", mediaType);
                if (media is not JsonObject mediaObject)
                {
                    throw new ContractException($"{mediaPointer}: must be an object");
                }

                var schema = mediaObject.TryGetPropertyValue("schema", out var schemaNode)
                    ? compiler.Compile(schemaNode, SchemaCompiler.Child(mediaPointer, "schema"))
                    : null;
                ranges.Add(new MediaTypeRange(mediaType, schema));
            }
        }

        return new BodyValidator(required, [.. ranges]);
    }

    private static bool IsJson(string mediaType)
    {
        var essence = new MediaTypeRange(mediaType, null);
        return essence.Subtype == "json" || essence.Subtype.EndsWith("+json", StringComparison.Ordinal);
    }

    private static ParameterStyle ParseStyle(string? style, string location, string pointer) => style switch
    {
        null => location is "query" or "cookie" ? ParameterStyle.Form : ParameterStyle.Simple,
        "simple" => ParameterStyle.Simple,
        "form" => ParameterStyle.Form,
        "label" => ParameterStyle.Label,
        "matrix" => ParameterStyle.Matrix,
        "spaceDelimited" => ParameterStyle.SpaceDelimited,
        "pipeDelimited" => ParameterStyle.PipeDelimited,
        "deepObject" => ParameterStyle.DeepObject,
        _ => throw new ContractException($"{pointer}/style: unknown style '{style}'"),
    };

    private static string? Text(JsonObject node, string key, string pointer)
    {
        if (!node.TryGetPropertyValue(key, out var value) || value is null)
        {
            return null;
        }

        return value is JsonValue text && text.GetValueKind() == JsonValueKind.String
            ? text.GetValue<string>()
            : throw new ContractException($"{pointer}/{key}: must be a string");
    }

    private static bool? Flag(JsonObject node, string key, string pointer)
    {
        if (!node.TryGetPropertyValue(key, out var value) || value is null)
        {
            return null;
        }

        return value is JsonValue flag && flag.GetValueKind() is JsonValueKind.True or JsonValueKind.False
            ? flag.GetValueKind() == JsonValueKind.True
            : throw new ContractException($"{pointer}/{key}: must be true or false");
    }
}
