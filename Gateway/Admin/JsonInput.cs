using System.Text.Json;
using System.Text.Json.Nodes;

namespace Edge.Gateway.Admin;

/// <summary>
/// A request body read as a JSON object, with typed field readers that collect every problem, so one 400
/// names every bad field at once. Absent fields read as "not given"; explicit nulls are told apart.
/// </summary>
internal sealed class JsonInput
{
    public const long MaxBodyBytes = 16 * 1024 * 1024;

    private readonly JsonObject _object;
    private readonly List<(string Field, string Problem)> _errors = [];

    private JsonInput(JsonObject obj) => _object = obj;

    public bool HasErrors => _errors.Count > 0;

    public static async Task<(JsonInput? Input, IResult? Error)> ReadAsync(HttpRequest request)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return (null, AdminJson.Fail(StatusCodes.Status413PayloadTooLarge, $"request body exceeds {MaxBodyBytes} bytes"));
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return (null, AdminJson.Fail(StatusCodes.Status413PayloadTooLarge, $"request body exceeds {MaxBodyBytes} bytes"));
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            return (null, AdminJson.Fail(StatusCodes.Status400BadRequest, "request body is empty: send a JSON object"));
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), new JsonNodeOptions { PropertyNameCaseInsensitive = false },
                new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            return (null, AdminJson.Fail(StatusCodes.Status400BadRequest, $"malformed JSON: {ex.Message}"));
        }

        return node is JsonObject obj
            ? (new JsonInput(obj), null)
            : (null, AdminJson.Fail(StatusCodes.Status400BadRequest, "request body must be a JSON object"));
    }

    public bool Has(string field) => _object.ContainsKey(field);

    /// <summary>The field's JSON as sent (null when absent), for fields that accept more than one shape.</summary>
    public JsonNode? Raw(string field) => _object.TryGetPropertyValue(field, out var node) ? node : null;

    public bool IsNull(string field) => _object.TryGetPropertyValue(field, out var v) && v is null;

    public void Error(string field, string problem) => _errors.Add((field, problem));

    /// <summary>Fields the API does not know are refused (a typo should not pass silently); read-only ones are ignored.</summary>
    public void RejectUnknown(IReadOnlyCollection<string> known, IReadOnlyCollection<string> readOnly)
    {
        foreach (var (name, _) in _object)
        {
            if (!known.Contains(name) && !readOnly.Contains(name))
            {
                Error(name, "unknown field");
            }
        }
    }

    /// <summary>A string field: null when absent (or null and allowed); a problem is recorded otherwise.</summary>
    public string? String(string field, bool required = false, int maxLength = 1024, bool allowNull = true, bool allowEmpty = false)
    {
        if (!_object.TryGetPropertyValue(field, out var node))
        {
            if (required)
            {
                Error(field, "is required");
            }

            return null;
        }

        if (node is null)
        {
            if (required || !allowNull)
            {
                Error(field, required ? "is required and must not be null" : "must not be null");
            }

            return null;
        }

        if (node.GetValueKind() != JsonValueKind.String)
        {
            Error(field, $"must be a string, got {Kind(node)}");
            return null;
        }

        var value = node.GetValue<string>();
        if (!allowEmpty && value.Trim().Length == 0)
        {
            Error(field, "must not be empty");
            return null;
        }

        if (value.Length > maxLength)
        {
            Error(field, $"must be at most {maxLength} characters");
            return null;
        }

        return value;
    }

    public bool? Bool(string field)
    {
        if (!_object.TryGetPropertyValue(field, out var node))
        {
            return null;
        }

        if (node?.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
        {
            return node.GetValue<bool>();
        }

        Error(field, $"must be true or false, got {Kind(node)}");
        return null;
    }

    public long? Integer(string field, long min, long max)
    {
        if (!_object.TryGetPropertyValue(field, out var node))
        {
            return null;
        }

        if (node?.GetValueKind() == JsonValueKind.Number && node.AsValue().TryGetValue<long>(out var value) && value >= min && value <= max)
        {
            return value;
        }

        Error(field, $"must be an integer between {min} and {max}, got {(node?.GetValueKind() == JsonValueKind.Number ? node.ToJsonString() : Kind(node))}");
        return null;
    }

    /// <summary>
    /// An array of non-empty strings (each at most <paramref name="maxLength"/> characters, no control characters, at
    /// most <paramref name="maxItems"/>, duplicates dropped); null when absent or null.
    /// </summary>
    public IReadOnlyList<string>? Strings(string field, int maxItems, int maxLength)
    {
        if (!_object.TryGetPropertyValue(field, out var node) || node is null)
        {
            return null;
        }

        if (node is not JsonArray array)
        {
            Error(field, $"must be an array of strings, got {Kind(node)}");
            return null;
        }

        if (array.Count > maxItems)
        {
            Error(field, $"must have at most {maxItems} items, got {array.Count}");
            return null;
        }

        var list = new List<string>(array.Count);
        for (var i = 0; i < array.Count; i++)
        {
            var item = array[i];
            if (item?.GetValueKind() != JsonValueKind.String)
            {
                Error(field, $"item {i} must be a string, got {Kind(item)}");
                return null;
            }

            var value = item.GetValue<string>();
            if (value.Trim().Length == 0 || value.Length > maxLength || value.Any(char.IsControl))
            {
                Error(field, $"item {i} must be 1 to {maxLength} characters without control characters");
                return null;
            }

            if (!list.Contains(value, StringComparer.Ordinal))
            {
                list.Add(value);
            }
        }

        return list;
    }

    /// <summary>A JSON object field, returned as compact JSON text; null when absent or null.</summary>
    public string? ObjectText(string field) => Object(field)?.ToJsonString();

    /// <summary>A JSON object field; null when absent or null (a problem when <paramref name="required"/>).</summary>
    public JsonObject? Object(string field, bool required = false)
    {
        if (!_object.TryGetPropertyValue(field, out var node) || node is null)
        {
            if (required)
            {
                Error(field, "is required");
            }

            return null;
        }

        if (node is not JsonObject obj)
        {
            Error(field, $"must be an object, got {Kind(node)}");
            return null;
        }

        return obj;
    }

    public IResult? Problems()
    {
        if (_errors.Count == 0)
        {
            return null;
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (field, problem) in _errors)
        {
            fields[field] = fields.TryGetValue(field, out var earlier) ? earlier + "; " + problem : problem;
        }

        var message = "invalid request: " + string.Join("; ", fields.Select(f => $"{f.Key}: {f.Value}"));
        return AdminJson.Fail(StatusCodes.Status400BadRequest, message, new { fields });
    }

    private static string Kind(JsonNode? node) => node?.GetValueKind() switch
    {
        null or JsonValueKind.Null => "null",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "an unknown value",
    };
}
