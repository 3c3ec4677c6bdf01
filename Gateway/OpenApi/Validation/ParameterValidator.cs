using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Edge.Gateway.OpenApi.Validation;

/// <summary>
/// One parameter: reads it from the request, checks presence, converts its text to the type the schema
/// declares (integer, number, boolean, string; arrays item by item) and writes the converted value into the
/// JSON array the request's parameters are validated from. Conversion failures are reported here, in the
/// parameter's own words ("expected integer, got 'abc'"); the schema's other keywords run afterwards.
/// </summary>
internal sealed class ParameterValidator
{
    private readonly ParameterShape _shape;
    private readonly ParameterStyle _style;
    private readonly bool _explode;
    private readonly JsonTypes _valueTypes;
    private readonly string _expected;
    private readonly bool _writes;

    public ParameterValidator(string name, string @in, bool required, ParameterStyle style, bool explode, SchemaNode? schema, bool jsonContent)
    {
        Name = name;
        In = @in;
        Required = required;
        Pointer = "/" + ValidationContext.Escape(name);
        Schema = schema;
        _style = style;
        _explode = explode;
        var types = schema is null ? JsonTypes.None : CollectTypes(schema, 0);
        if (jsonContent)
        {
            _shape = ParameterShape.Json;
        }
        else if ((types & JsonTypes.Array) != 0)
        {
            _shape = ParameterShape.Array;
            var items = schema is null ? null : FindItems(schema, 0);
            types = items is null ? JsonTypes.None : CollectTypes(items, 0);
        }
        else
        {
            // deepObject and exploded form objects spread over several keys; they are accepted unchecked.
            _shape = (types & ~JsonTypes.Null) == JsonTypes.Object ? ParameterShape.Object : ParameterShape.Scalar;
        }

        _valueTypes = types & ~JsonTypes.Null;
        _expected = ExpectedText(_valueTypes);

        // PERF: when the schema says nothing the conversion has not already checked (a plain {type: integer}),
        // the value is not written and no document is parsed for it. A JSON value's type is checked by the schema.
        _writes = schema is not null && _shape != ParameterShape.Object && (_shape == ParameterShape.Json || !schema.ChecksOnlyType);
    }

    public string Name { get; }

    /// <summary>"path", "query", "header" or "cookie".</summary>
    public string In { get; }

    public bool Required { get; }

    /// <summary>"/" + the name, JSON-pointer escaped.</summary>
    public string Pointer { get; }

    public SchemaNode? Schema { get; }

    /// <summary>
    /// Reads, checks presence and converts; true when a value was written to <paramref name="writer"/> for
    /// <see cref="Schema"/> to validate. Problems go to <paramref name="context"/>.
    /// </summary>
    public bool TryWrite(HttpRequest request, IReadOnlyDictionary<string, string>? pathParameters, Utf8JsonWriter writer, ValidationContext context)
    {
        if (_shape == ParameterShape.Object)
        {
            CheckObjectPresence(request, pathParameters, context);
            return false;
        }

        var values = Read(request, pathParameters);
        if (values.Count == 0)
        {
            if (Required)
            {
                context.Report(In, Pointer, $"required {In} parameter '{Name}' is missing");
            }

            return false;
        }

        switch (_shape)
        {
            case ParameterShape.Json:
                return TryWriteJson(values, writer, context);
            case ParameterShape.Array:
                return TryWriteArray(values, writer, context);
        }

        string text;
        if (values.Count == 1)
        {
            text = values[0] ?? "";
        }
        else if (In == "header")
        {
            // Repeated header lines are one comma-separated value (RFC 9110 5.3).
            text = string.Join(", ", values.ToArray());
        }
        else
        {
            context.Report(In, Pointer, $"expected a single value, got {values.Count}");
            return false;
        }

        text = StripStylePrefix(text);
        if (!TryConvert(text, null))
        {
            context.Report(In, Pointer, $"expected {_expected}, got '{text}'");
            return false;
        }

        if (!_writes)
        {
            return false;
        }

        TryConvert(text, writer);
        return true;
    }

    /// <summary>
    /// Object parameters are accepted unchecked (deepObject and exploded form objects spread over several keys);
    /// only a required one is looked for: ?filter[x]=1 for deepObject, the key itself otherwise. An exploded
    /// form object in the query (?x=1&amp;y=2) has no key of its own and is taken as present.
    /// </summary>
    private void CheckObjectPresence(HttpRequest request, IReadOnlyDictionary<string, string>? pathParameters, ValidationContext context)
    {
        if (!Required || (In == "query" && _explode && _style == ParameterStyle.Form))
        {
            return;
        }

        var present = false;
        if (In == "query" && _style == ParameterStyle.DeepObject)
        {
            foreach (var key in request.Query.Keys)
            {
                present |= key.Length > Name.Length && key[Name.Length] == '[' && key.StartsWith(Name, StringComparison.Ordinal);
            }
        }
        else
        {
            present = Read(request, pathParameters).Count > 0;
        }

        if (!present)
        {
            context.Report(In, Pointer, $"required {In} parameter '{Name}' is missing");
        }
    }

    private StringValues Read(HttpRequest request, IReadOnlyDictionary<string, string>? pathParameters)
    {
        switch (In)
        {
            case "path":
                if (pathParameters is null)
                {
                    return StringValues.Empty;
                }

                if (pathParameters.TryGetValue(Name, out var value))
                {
                    return value;
                }

                foreach (var (key, other) in pathParameters)
                {
                    if (string.Equals(key, Name, StringComparison.OrdinalIgnoreCase))
                    {
                        return other;
                    }
                }

                return StringValues.Empty;
            case "query":
                return request.Query.TryGetValue(Name, out var query) ? query : StringValues.Empty;
            case "header":
                return request.Headers.TryGetValue(Name, out var header) ? header : StringValues.Empty;
            default:
                return request.Cookies.TryGetValue(Name, out var cookie) && cookie is not null ? cookie : StringValues.Empty;
        }
    }

    private bool TryWriteJson(StringValues values, Utf8JsonWriter writer, ValidationContext context)
    {
        var text = WellFormed(values[0] ?? "");
        try
        {
            using var document = JsonDocument.Parse(text);
        }
        catch (JsonException exception)
        {
            context.Report(In, Pointer, $"not valid JSON: {exception.Message}");
            return false;
        }

        if (!_writes)
        {
            return false;
        }

        writer.WriteRawValue(text, skipInputValidation: true);
        return true;
    }

    private bool TryWriteArray(StringValues values, Utf8JsonWriter writer, ValidationContext context)
    {
        var items = SplitItems(values);
        var failed = false;
        for (var i = 0; i < items.Count; i++)
        {
            if (!TryConvert(items[i], null))
            {
                failed = true;
                context.Report(In, $"{Pointer}/{i}", $"expected {_expected}, got '{items[i]}'");
            }
        }

        if (failed || !_writes)
        {
            return false;
        }

        writer.WriteStartArray();
        foreach (var item in items)
        {
            TryConvert(item, writer);
        }

        writer.WriteEndArray();
        return true;
    }

    /// <summary>
    /// The items of an array parameter: repeated keys for an exploded query form (?tag=a&amp;tag=b), else each
    /// value split at the style's delimiter (a,b for simple and form; "a b", "a|b"; .a.b for exploded label).
    /// </summary>
    private List<string> SplitItems(StringValues values)
    {
        var items = new List<string>();
        var repeatedKeys = _explode && In == "query" && _style is ParameterStyle.Form or ParameterStyle.SpaceDelimited or ParameterStyle.PipeDelimited;
        foreach (var raw in values)
        {
            var value = raw ?? "";
            if (repeatedKeys)
            {
                items.Add(value);
                continue;
            }

            value = StripStylePrefix(value);
            if (value.Length == 0)
            {
                continue;
            }

            var separator = _style switch
            {
                ParameterStyle.SpaceDelimited => " ",
                ParameterStyle.PipeDelimited => "|",
                ParameterStyle.Label when _explode => ".",
                ParameterStyle.Matrix when _explode => $";{Name}=",
                _ => ",",
            };
            foreach (var item in value.Split(separator))
            {
                items.Add(In == "header" ? item.Trim() : item);
            }
        }

        return items;
    }

    /// <summary>label values start with ".", matrix values with ";name=".</summary>
    private string StripStylePrefix(string text)
    {
        if (_style == ParameterStyle.Label && text.StartsWith('.'))
        {
            return text[1..];
        }

        if (_style != ParameterStyle.Matrix)
        {
            return text;
        }

        var prefix = $";{Name}=";
        return text.StartsWith(prefix, StringComparison.Ordinal) ? text[prefix.Length..] : text;
    }

    /// <summary>Checks that <paramref name="text"/> converts to one of the allowed types; writes it when <paramref name="writer"/> is given.</summary>
    private bool TryConvert(string text, Utf8JsonWriter? writer)
    {
        var types = _valueTypes;
        if (types == JsonTypes.None)
        {
            writer?.WriteStringValue(WellFormed(text));
            return true;
        }

        if ((types & JsonTypes.Integer) != 0 && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            writer?.WriteNumberValue(integer);
            return true;
        }

        if ((types & JsonTypes.Number) != 0 && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
        {
            writer?.WriteNumberValue(number);
            return true;
        }

        if ((types & JsonTypes.Boolean) != 0 && text is "true" or "false")
        {
            writer?.WriteBooleanValue(text == "true");
            return true;
        }

        if ((types & (JsonTypes.String | JsonTypes.Object | JsonTypes.Array)) != 0)
        {
            writer?.WriteStringValue(WellFormed(text));
            return true;
        }

        return false;
    }

    /// <summary>A lone surrogate (which the JSON writer refuses) becomes U+FFFD; text without surrogates is returned as is.</summary>
    private static string WellFormed(string text) =>
        text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') < 0 ? text : Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text));

    private static string ExpectedText(JsonTypes types)
    {
        var names = new List<string>();
        if ((types & JsonTypes.Integer) != 0 && (types & JsonTypes.Number) == 0)
        {
            names.Add("integer");
        }

        if ((types & JsonTypes.Number) != 0)
        {
            names.Add("number");
        }

        if ((types & JsonTypes.Boolean) != 0)
        {
            names.Add("boolean (true or false)");
        }

        if ((types & JsonTypes.String) != 0)
        {
            names.Add("string");
        }

        return names.Count == 0 ? "a value" : string.Join(" or ", names);
    }

    /// <summary>The types a schema allows, looking through $ref and allOf/anyOf/oneOf (a parameter's type is often behind a $ref).</summary>
    private static JsonTypes CollectTypes(SchemaNode schema, int depth)
    {
        if (depth > 8)
        {
            return JsonTypes.None;
        }

        var types = schema.Types;
        if (schema.Ref is not null)
        {
            types |= CollectTypes(schema.Ref, depth + 1);
        }

        foreach (var list in (ReadOnlySpan<SchemaNode[]?>)[schema.AllOf, schema.AnyOf, schema.OneOf])
        {
            foreach (var alternative in list ?? [])
            {
                types |= CollectTypes(alternative, depth + 1);
            }
        }

        return types;
    }

    private static SchemaNode? FindItems(SchemaNode schema, int depth)
    {
        if (depth > 8)
        {
            return null;
        }

        if (schema.ArrayChecks?.Items is { } items)
        {
            return items;
        }

        if (schema.Ref is not null && FindItems(schema.Ref, depth + 1) is { } referenced)
        {
            return referenced;
        }

        foreach (var alternative in schema.AllOf ?? [])
        {
            if (FindItems(alternative, depth + 1) is { } found)
            {
                return found;
            }
        }

        return null;
    }
}
