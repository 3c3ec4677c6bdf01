using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Edge.Gateway.OpenApi.Validation;

/// <summary>
/// Turns the schemas of one contract into <see cref="SchemaNode"/> trees. A <c>$ref</c> becomes a node that
/// is compiled later from a work list, once per target, so recursive schemas neither recurse at build time
/// nor get compiled twice. A cycle that never descends into the value (A: $ref B, B: allOf [$ref A]) would
/// recurse forever on every request, so it is refused here.
/// Keywords honoured: type, nullable, enum, const, the numeric, string, array and object keywords, format,
/// allOf, anyOf, oneOf, not, $ref, readOnly (on properties); others (discriminator, xml, examples, x-*,
/// contains, if/then/else, unevaluated*) are ignored.
/// </summary>
internal sealed class SchemaCompiler(JsonObject root)
{
    private static readonly string[] TypeNames = ["null", "boolean", "object", "array", "number", "integer", "string"];

    private readonly Dictionary<string, SchemaNode> _refTargets = new(StringComparer.Ordinal);
    private readonly Queue<(SchemaNode Node, JsonNode? Schema)> _pending = new();
    private readonly List<SchemaNode> _nodes = [];

    /// <summary>Compiles the schema found at <paramref name="pointer"/>; call <see cref="Complete"/> before using it.</summary>
    public SchemaNode Compile(JsonNode? schema, string pointer)
    {
        var node = NewNode(pointer);
        Populate(node, schema);
        return node;
    }

    /// <summary>Compiles every schema a <c>$ref</c> reached, then refuses cycles that never descend.</summary>
    public void Complete()
    {
        while (_pending.TryDequeue(out var item))
        {
            Populate(item.Node, item.Schema);
        }

        RefuseSameValueCycles();
    }

    /// <summary>Whether a property's schema (or the schema its <c>$ref</c> chain ends at) says readOnly: true.</summary>
    public bool IsReadOnly(JsonNode? schema)
    {
        for (var hops = 0; hops < 16 && schema is JsonObject node; hops++)
        {
            if (node["readOnly"] is JsonValue readOnly && readOnly.GetValueKind() == JsonValueKind.True)
            {
                return true;
            }

            if (node["$ref"] is not JsonValue reference || reference.GetValueKind() != JsonValueKind.String
                || !TryResolve(reference.GetValue<string>(), out _, out schema))
            {
                return false;
            }
        }

        return false;
    }

    public static string Child(string pointer, string token)
    {
        var escaped = ValidationContext.Escape(token);
        return pointer.Length == 0 ? escaped : $"{pointer}/{escaped}";
    }

    public static string Child(string pointer, int index) => Child(pointer, index.ToString(CultureInfo.InvariantCulture));

    private SchemaNode NewNode(string pointer)
    {
        var node = new SchemaNode(pointer);
        _nodes.Add(node);
        return node;
    }

    private void Populate(SchemaNode node, JsonNode? schema)
    {
        var pointer = node.Pointer;
        if (schema is JsonValue value && value.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
        {
            node.IsFalse = value.GetValueKind() == JsonValueKind.False;
            return;
        }

        if (schema is not JsonObject keywords)
        {
            throw new ContractException($"{pointer}: a schema must be an object or a boolean");
        }

        if (keywords.TryGetPropertyValue("$ref", out var reference))
        {
            node.Ref = ResolveRef(reference, Child(pointer, "$ref"));
        }

        CompileType(node, keywords, pointer);
        node.Nullable = Boolean(keywords, "nullable", pointer) ?? false;

        if (keywords.TryGetPropertyValue("enum", out var values))
        {
            if (values is not JsonArray array)
            {
                throw new ContractException($"{Child(pointer, "enum")}: must be an array");
            }

            var elements = new JsonElement[array.Count];
            for (var i = 0; i < array.Count; i++)
            {
                elements[i] = ToElement(array[i]);
            }

            node.Enum = new EnumConstraint(elements, isConst: false);
        }

        if (keywords.TryGetPropertyValue("const", out var constant))
        {
            node.Const = new EnumConstraint([ToElement(constant)], isConst: true);
        }

        var format = String(keywords, "format", pointer);
        node.NumberChecks = CompileNumber(keywords, pointer, format);
        node.StringChecks = CompileString(keywords, pointer, format);
        node.ArrayChecks = CompileArray(keywords, pointer);
        node.ObjectChecks = CompileObject(keywords, pointer);
        node.AllOf = CompileList(keywords, "allOf", pointer);
        node.AnyOf = CompileList(keywords, "anyOf", pointer);
        node.OneOf = CompileList(keywords, "oneOf", pointer);
        if (keywords.TryGetPropertyValue("not", out var not))
        {
            node.Not = Compile(not, Child(pointer, "not"));
        }
    }

    private static void CompileType(SchemaNode node, JsonObject keywords, string pointer)
    {
        if (!keywords.TryGetPropertyValue("type", out var type))
        {
            return;
        }

        var typePointer = Child(pointer, "type");
        var names = new List<string>();
        if (type is JsonValue single && single.GetValueKind() == JsonValueKind.String)
        {
            names.Add(single.GetValue<string>());
        }
        else if (type is JsonArray many)
        {
            foreach (var item in many)
            {
                if (item is not JsonValue name || name.GetValueKind() != JsonValueKind.String)
                {
                    throw new ContractException($"{typePointer}: must be a type name or an array of type names");
                }

                names.Add(name.GetValue<string>());
            }
        }
        else
        {
            throw new ContractException($"{typePointer}: must be a type name or an array of type names");
        }

        var types = JsonTypes.None;
        foreach (var name in names)
        {
            var index = Array.IndexOf(TypeNames, name);
            if (index < 0)
            {
                throw new ContractException($"{typePointer}: unknown type '{name}' (expected one of {string.Join(", ", TypeNames)})");
            }

            types |= (JsonTypes)(1 << index);
        }

        // An empty type array allows nothing; keep it distinguishable from "no type keyword".
        node.Types = types;
        node.IsFalse = names.Count == 0;
        node.ExpectedTypes = string.Join(" or ", names);
    }

    private static NumberConstraints? CompileNumber(JsonObject keywords, string pointer, string? format)
    {
        var minimum = Number(keywords, "minimum", pointer);
        var maximum = Number(keywords, "maximum", pointer);
        var multipleOf = Number(keywords, "multipleOf", pointer);
        var exclusiveMinimum = Exclusive(keywords, "exclusiveMinimum", pointer, ref minimum);
        var exclusiveMaximum = Exclusive(keywords, "exclusiveMaximum", pointer, ref maximum);
        var integerFormat = format is "int32" or "int64" ? format : null;
        if (multipleOf is <= 0)
        {
            throw new ContractException($"{Child(pointer, "multipleOf")}: must be greater than 0");
        }

        if (minimum is null && maximum is null && exclusiveMinimum is null && exclusiveMaximum is null && multipleOf is null && integerFormat is null)
        {
            return null;
        }

        return new NumberConstraints
        {
            Minimum = minimum,
            Maximum = maximum,
            ExclusiveMinimum = exclusiveMinimum,
            ExclusiveMaximum = exclusiveMaximum,
            MultipleOf = multipleOf,
            IntegerFormat = integerFormat,
        };
    }

    /// <summary>
    /// The 3.1 form is a number; the 3.0 form is a boolean that makes minimum/maximum exclusive (the bound
    /// then moves from <paramref name="bound"/> to the result).
    /// </summary>
    private static double? Exclusive(JsonObject keywords, string key, string pointer, ref double? bound)
    {
        if (!keywords.TryGetPropertyValue(key, out var value))
        {
            return null;
        }

        switch (value is JsonValue v ? v.GetValueKind() : JsonValueKind.Undefined)
        {
            case JsonValueKind.True:
                var exclusive = bound;
                bound = null;
                return exclusive;
            case JsonValueKind.False:
                return null;
            default:
                return Number(keywords, key, pointer);
        }
    }

    private StringConstraints? CompileString(JsonObject keywords, string pointer, string? format)
    {
        var minLength = Count(keywords, "minLength", pointer);
        var maxLength = Count(keywords, "maxLength", pointer);
        var patternText = String(keywords, "pattern", pointer);
        var stringFormat = format is null ? StringFormat.None : StringFormats.Parse(format);
        if (minLength is null && maxLength is null && patternText is null && stringFormat == StringFormat.None)
        {
            return null;
        }

        return new StringConstraints
        {
            MinLength = minLength ?? 0,
            MaxLength = maxLength,
            Pattern = patternText is null ? null : SchemaPattern.Create(patternText, Child(pointer, "pattern")),
            Format = stringFormat,
            FormatName = format ?? "",
        };
    }

    private ArrayConstraints? CompileArray(JsonObject keywords, string pointer)
    {
        var minItems = Count(keywords, "minItems", pointer);
        var maxItems = Count(keywords, "maxItems", pointer);
        var uniqueItems = Boolean(keywords, "uniqueItems", pointer) ?? false;
        var prefixItems = CompileList(keywords, "prefixItems", pointer);
        SchemaNode? items = null;
        if (keywords.TryGetPropertyValue("items", out var itemsSchema))
        {
            if (itemsSchema is JsonArray)
            {
                // The draft 4-2019 tuple form: the same as prefixItems.
                prefixItems ??= CompileList(keywords, "items", pointer);
            }
            else
            {
                items = Compile(itemsSchema, Child(pointer, "items"));
            }
        }

        if (minItems is null && maxItems is null && !uniqueItems && prefixItems is null && items is null)
        {
            return null;
        }

        return new ArrayConstraints
        {
            MinItems = minItems ?? 0,
            MaxItems = maxItems,
            UniqueItems = uniqueItems,
            Items = items,
            PrefixItems = prefixItems,
        };
    }

    private ObjectConstraints? CompileObject(JsonObject keywords, string pointer)
    {
        var properties = new List<ObjectProperty>();
        var byName = new Dictionary<string, int>(StringComparer.Ordinal);
        if (keywords.TryGetPropertyValue("properties", out var declared))
        {
            if (declared is not JsonObject declaredObject)
            {
                throw new ContractException($"{Child(pointer, "properties")}: must be an object");
            }

            var propertiesPointer = Child(pointer, "properties");
            foreach (var (name, schema) in declaredObject)
            {
                byName[name] = properties.Count;
                properties.Add(new ObjectProperty(name, Compile(schema, Child(propertiesPointer, name)), Declared: true, Required: false, IsReadOnly(schema)));
            }
        }

        if (keywords.TryGetPropertyValue("required", out var required))
        {
            var requiredPointer = Child(pointer, "required");
            if (required is not JsonArray requiredArray)
            {
                throw new ContractException($"{requiredPointer}: must be an array of property names");
            }

            foreach (var item in requiredArray)
            {
                if (item is not JsonValue name || name.GetValueKind() != JsonValueKind.String)
                {
                    throw new ContractException($"{requiredPointer}: must be an array of property names");
                }

                var text = name.GetValue<string>();
                if (byName.TryGetValue(text, out var index))
                {
                    properties[index] = properties[index] with { Required = true };
                }
                else
                {
                    byName[text] = properties.Count;
                    properties.Add(new ObjectProperty(text, null, Declared: false, Required: true, ReadOnly: false));
                }
            }
        }

        PatternProperty[]? patternProperties = null;
        if (keywords.TryGetPropertyValue("patternProperties", out var patterns))
        {
            var patternsPointer = Child(pointer, "patternProperties");
            if (patterns is not JsonObject patternsObject)
            {
                throw new ContractException($"{patternsPointer}: must be an object");
            }

            var list = new List<PatternProperty>();
            foreach (var (pattern, schema) in patternsObject)
            {
                var patternPointer = Child(patternsPointer, pattern);
                list.Add(new PatternProperty(SchemaPattern.Create(pattern, patternPointer), Compile(schema, patternPointer)));
            }

            patternProperties = list.Count == 0 ? null : [.. list];
        }

        SchemaNode? additional = null;
        var forbidden = false;
        if (keywords.TryGetPropertyValue("additionalProperties", out var additionalSchema))
        {
            var kind = additionalSchema is JsonValue v ? v.GetValueKind() : JsonValueKind.Undefined;
            if (kind == JsonValueKind.False)
            {
                forbidden = true;
            }
            else if (kind != JsonValueKind.True)
            {
                additional = Compile(additionalSchema, Child(pointer, "additionalProperties"));
            }
        }

        var minProperties = Count(keywords, "minProperties", pointer);
        var maxProperties = Count(keywords, "maxProperties", pointer);
        if (properties.Count == 0 && patternProperties is null && additional is null && !forbidden && minProperties is null && maxProperties is null)
        {
            return null;
        }

        return new ObjectConstraints([.. properties])
        {
            PatternProperties = patternProperties,
            AdditionalProperties = additional,
            AdditionalForbidden = forbidden,
            MinProperties = minProperties ?? 0,
            MaxProperties = maxProperties,
        };
    }

    private SchemaNode[]? CompileList(JsonObject keywords, string key, string pointer)
    {
        if (!keywords.TryGetPropertyValue(key, out var value))
        {
            return null;
        }

        var listPointer = Child(pointer, key);
        if (value is not JsonArray array || array.Count == 0)
        {
            throw new ContractException($"{listPointer}: must be a non-empty array of schemas");
        }

        var nodes = new SchemaNode[array.Count];
        for (var i = 0; i < array.Count; i++)
        {
            nodes[i] = Compile(array[i], Child(listPointer, i));
        }

        return nodes;
    }

    private SchemaNode ResolveRef(JsonNode? value, string pointer)
    {
        if (value is not JsonValue text || text.GetValueKind() != JsonValueKind.String)
        {
            throw new ContractException($"{pointer}: must be a string");
        }

        var reference = text.GetValue<string>();
        if (!reference.StartsWith('#'))
        {
            throw new ContractException($"{pointer}: '{reference}' is not a reference inside the contract (expected #/components/schemas/<name>)");
        }

        if (!TryResolve(reference, out var fragment, out var target))
        {
            throw new ContractException($"{pointer}: '{reference}' does not exist in the contract");
        }

        if (_refTargets.TryGetValue(fragment, out var existing))
        {
            return existing;
        }

        var node = NewNode(fragment.TrimStart('/'));
        _refTargets[fragment] = node;
        _pending.Enqueue((node, target));
        return node;
    }

    /// <summary>Follows a "#/a/b" reference (a URI fragment holding a JSON pointer) from the contract's root.</summary>
    private bool TryResolve(string reference, out string fragment, out JsonNode? target)
    {
        fragment = Uri.UnescapeDataString(reference[1..]);
        target = root;
        if (fragment.Length == 0)
        {
            return true;
        }

        if (fragment[0] != '/')
        {
            return false;
        }

        foreach (var rawToken in fragment[1..].Split('/'))
        {
            var token = rawToken.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (target is JsonObject obj && obj.TryGetPropertyValue(token, out var next))
            {
                target = next;
            }
            else if (target is JsonArray array && int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < array.Count)
            {
                target = array[index];
            }
            else
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Depth-first search over the edges that validate the same value again ($ref, allOf, anyOf, oneOf, not),
    /// iterative so that long chains cannot overflow the stack.
    /// </summary>
    private void RefuseSameValueCycles()
    {
        var state = new Dictionary<SchemaNode, bool>(ReferenceEqualityComparer.Instance); // false: on the path; true: done
        var stack = new Stack<(SchemaNode Node, List<SchemaNode> Next, int Index)>();
        foreach (var start in _nodes)
        {
            if (state.ContainsKey(start))
            {
                continue;
            }

            state[start] = false;
            stack.Push((start, SameValueChildren(start), 0));
            while (stack.TryPop(out var frame))
            {
                if (frame.Index == frame.Next.Count)
                {
                    state[frame.Node] = true;
                    continue;
                }

                stack.Push(frame with { Index = frame.Index + 1 });
                var child = frame.Next[frame.Index];
                if (!state.TryGetValue(child, out var done))
                {
                    state[child] = false;
                    stack.Push((child, SameValueChildren(child), 0));
                }
                else if (!done)
                {
                    throw new ContractException($"{child.Pointer}: the schema refers back to itself without descending into the value ($ref cycle), so validating it would never end");
                }
            }
        }
    }

    private static List<SchemaNode> SameValueChildren(SchemaNode node)
    {
        var children = new List<SchemaNode>();
        if (node.Ref is not null)
        {
            children.Add(node.Ref);
        }

        children.AddRange(node.AllOf ?? []);
        children.AddRange(node.AnyOf ?? []);
        children.AddRange(node.OneOf ?? []);
        if (node.Not is not null)
        {
            children.Add(node.Not);
        }

        return children;
    }

    private static JsonElement ToElement(JsonNode? value)
    {
        using var document = JsonDocument.Parse(value is null ? "null" : value.ToJsonString());
        return document.RootElement.Clone();
    }

    private static double? Number(JsonObject keywords, string key, string pointer)
    {
        if (!keywords.TryGetPropertyValue(key, out var value))
        {
            return null;
        }

        if (value is not JsonValue number || number.GetValueKind() != JsonValueKind.Number)
        {
            throw new ContractException($"{Child(pointer, key)}: must be a number");
        }

        return double.Parse(number.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    private static int? Count(JsonObject keywords, string key, string pointer)
    {
        var value = Number(keywords, key, pointer);
        if (value is { } count && (count < 0 || count != Math.Floor(count)))
        {
            throw new ContractException($"{Child(pointer, key)}: must be a non-negative integer");
        }

        return value is null ? null : (int)Math.Min(value.Value, int.MaxValue);
    }

    private static bool? Boolean(JsonObject keywords, string key, string pointer)
    {
        if (!keywords.TryGetPropertyValue(key, out var value))
        {
            return null;
        }

        return value is JsonValue flag && flag.GetValueKind() is JsonValueKind.True or JsonValueKind.False
            ? flag.GetValueKind() == JsonValueKind.True
            : throw new ContractException($"{Child(pointer, key)}: must be true or false");
    }

    private static string? String(JsonObject keywords, string key, string pointer)
    {
        if (!keywords.TryGetPropertyValue(key, out var value))
        {
            return null;
        }

        return value is JsonValue text && text.GetValueKind() == JsonValueKind.String
            ? text.GetValue<string>()
            : throw new ContractException($"{Child(pointer, key)}: must be a string");
    }
}
