using System.Text.Json.Nodes;

namespace Edge.Gateway.OpenApi;

/// <summary>
/// One example value for a JSON Schema (the OpenAPI 3.1 dialect, with the 3.0 forms accepted): the schema's own
/// example when it gives one, else a value built from its type, format and bounds. Recursive and huge schemas
/// terminate: a reference already being expanded, a nesting deeper than <see cref="MaxDepth"/> or more than
/// <see cref="MaxNodes"/> schemas visited stops that branch (an optional property is left out, a required one is
/// null, an array is empty).
/// </summary>
internal static class ExampleBuilder
{
    // Deep enough for any real model; deeper means a mistake or a hostile spec.
    private const int MaxDepth = 24;

    // Bounds the work for wide-and-deep schemas (each level many properties of the next): a mock, not a dump.
    private const int MaxNodes = 5_000;

    // minItems beyond this is honoured only this far: the example is for reading, not a load test.
    private const int MaxItems = 100;

    private const int MaxStringLength = 1_000;

    public static JsonNode? FromSchema(JsonNode? schema, JsonObject? components) =>
        new Walk(components).Build(schema, 0, out _);

    /// <summary>How a branch ended: whole, whole but with a null standing in for a cut-off part, or cut off itself.</summary>
    private enum Outcome
    {
        Complete,
        Partial,
        Cut,
    }

    private sealed class Walk(JsonObject? components)
    {
        private readonly HashSet<string> _expanding = new(StringComparer.Ordinal);
        private int _visited;

        public JsonNode? Build(JsonNode? schema, int depth, out Outcome outcome)
        {
            outcome = Outcome.Complete;

            // true, false or a missing schema: nothing says what the value looks like.
            if (schema is not JsonObject s)
            {
                return null;
            }

            if (depth > MaxDepth || ++_visited > MaxNodes)
            {
                outcome = Outcome.Cut;
                return null;
            }

            if (TryOwnExample(s, out var own))
            {
                return own;
            }

            if (Str(s["$ref"]) is { } reference)
            {
                // A reference already being expanded is a cycle: stop here, the caller decides what stands in.
                if (!_expanding.Add(reference))
                {
                    outcome = Outcome.Cut;
                    return null;
                }

                try
                {
                    return Build(Resolve(reference), depth + 1, out outcome);
                }
                finally
                {
                    _expanding.Remove(reference);
                }
            }

            if (s["allOf"] is JsonArray { Count: > 0 } allOf)
            {
                return BuildAllOf(s, allOf, depth, out outcome);
            }

            if ((s["oneOf"] ?? s["anyOf"]) is JsonArray { Count: > 0 } alternatives)
            {
                return BuildFirstAlternative(s, alternatives, depth, out outcome);
            }

            return PrimaryType(s) switch
            {
                "object" => BuildObject(s, depth, out outcome),
                "array" => BuildArray(s, depth, out outcome),
                "string" => JsonValue.Create(StringFor(s)),
                "integer" => IntegerFor(s),
                "number" => NumberFor(s),
                "boolean" => JsonValue.Create(true),
                _ => null,
            };
        }

        private JsonNode? BuildAllOf(JsonObject s, JsonArray allOf, int depth, out Outcome outcome)
        {
            // Properties beside allOf belong to the same object.
            outcome = Outcome.Complete;
            var merged = HasObjectShape(s) ? BuildObject(s, depth, out outcome) : null;
            JsonNode? firstOther = null;
            var anyCut = false;
            foreach (var part in allOf)
            {
                var value = Build(part, depth + 1, out var partOutcome);
                if (partOutcome == Outcome.Cut)
                {
                    // A part that is the type itself adds nothing new; the other parts still make an example.
                    anyCut = true;
                    continue;
                }

                outcome = Worse(outcome, partOutcome);
                if (value is JsonObject obj)
                {
                    merged ??= [];
                    foreach (var (name, item) in obj.ToList())
                    {
                        // Later parts refine earlier ones (a subtype's example beats its base's).
                        obj.Remove(name);
                        merged[name] = item;
                    }
                }
                else if (value is not null)
                {
                    firstOther ??= value;
                }
            }

            if (merged is null && firstOther is null && anyCut)
            {
                outcome = Outcome.Cut;
            }

            return merged ?? firstOther;
        }

        private JsonNode? BuildFirstAlternative(JsonObject s, JsonArray alternatives, int depth, out Outcome outcome)
        {
            // The first alternative that is not just "null" and comes out whole; failing that, the first that came out
            // at all (a recursive alternative is skipped for one that ends, as in Expr = Sum | Number).
            JsonNode? partial = null;
            var sawPartial = false;
            var sawNull = false;
            foreach (var alternative in alternatives)
            {
                if (alternative is JsonObject alt && PrimaryType(alt) == "null")
                {
                    sawNull = true;
                    continue;
                }

                var value = Build(alternative, depth + 1, out var altOutcome);
                if (altOutcome == Outcome.Complete)
                {
                    return WithSharedProperties(s, value, depth, out outcome);
                }

                if (altOutcome == Outcome.Partial && !sawPartial)
                {
                    sawPartial = true;
                    partial = value;
                }
            }

            if (sawPartial)
            {
                var value = WithSharedProperties(s, partial, depth, out _);
                outcome = Outcome.Partial;
                return value;
            }

            // Only null fits, or every alternative recursed.
            outcome = sawNull ? Outcome.Complete : Outcome.Cut;
            return null;
        }

        /// <summary>Properties beside oneOf/anyOf belong to every alternative: merged under the chosen one's.</summary>
        private JsonNode? WithSharedProperties(JsonObject s, JsonNode? chosen, int depth, out Outcome outcome)
        {
            outcome = Outcome.Complete;
            if (chosen is not JsonObject obj || !HasObjectShape(s))
            {
                return chosen;
            }

            var shared = BuildObject(s, depth, out outcome);
            foreach (var (name, item) in obj.ToList())
            {
                obj.Remove(name);
                shared[name] = item;
            }

            return shared;
        }

        private JsonObject BuildObject(JsonObject s, int depth, out Outcome outcome)
        {
            outcome = Outcome.Complete;
            var result = new JsonObject();
            var required = new HashSet<string>(StringComparer.Ordinal);
            if (s["required"] is JsonArray requiredNames)
            {
                foreach (var name in requiredNames)
                {
                    if (Str(name) is { } n)
                    {
                        required.Add(n);
                    }
                }
            }

            if (s["properties"] is JsonObject properties)
            {
                foreach (var (name, property) in properties)
                {
                    // writeOnly values are request-only: a response never carries them. A false schema allows nothing.
                    if (property is JsonObject p && IsTrue(p["writeOnly"]) || property is JsonValue v && v.TryGetValue<bool>(out var allowed) && !allowed)
                    {
                        continue;
                    }

                    var value = Build(property, depth + 1, out var propertyOutcome);
                    if (propertyOutcome == Outcome.Cut)
                    {
                        // Optional: leave it out. Required: null stands in, and the object says it is not whole.
                        if (!required.Contains(name))
                        {
                            continue;
                        }

                        propertyOutcome = Outcome.Partial;
                    }

                    outcome = Worse(outcome, propertyOutcome);
                    result[name] = value;
                }
            }

            if (result.Count == 0 && s["additionalProperties"] is JsonObject additional)
            {
                var value = Build(additional, depth + 1, out var additionalOutcome);
                if (additionalOutcome != Outcome.Cut)
                {
                    outcome = Worse(outcome, additionalOutcome);
                    result["additionalProp1"] = value;
                }
            }

            return result;
        }

        private JsonArray BuildArray(JsonObject s, int depth, out Outcome outcome)
        {
            outcome = Outcome.Complete;
            var result = new JsonArray();
            var maxItems = Num(s["maxItems"]);
            if (maxItems is <= 0)
            {
                return result;
            }

            var minItems = Num(s["minItems"]) ?? 1;
            var count = (int)Math.Clamp(Math.Max(1, minItems), 1, Math.Min(MaxItems, maxItems ?? MaxItems));

            // Tuples: prefixItems (3.1) or an items array (older drafts), one example per position.
            var prefix = s["prefixItems"] as JsonArray ?? s["items"] as JsonArray;
            if (prefix is not null)
            {
                foreach (var itemSchema in prefix)
                {
                    var value = Build(itemSchema, depth + 1, out var itemOutcome);
                    if (itemOutcome == Outcome.Cut)
                    {
                        return result;
                    }

                    outcome = Worse(outcome, itemOutcome);
                    result.Add(value);
                }
            }

            if (s["items"] is not JsonObject items || result.Count >= count)
            {
                return result;
            }

            var item = Build(items, depth + 1, out var itemsOutcome);
            if (itemsOutcome == Outcome.Cut)
            {
                // An array of a type that is still being built: the empty array ends the recursion, and is whole.
                return result;
            }

            outcome = Worse(outcome, itemsOutcome);
            result.Add(item);
            while (result.Count < count)
            {
                result.Add(item?.DeepClone());
            }

            return result;
        }

        private static Outcome Worse(Outcome a, Outcome b) => a > b ? a : b;

        private JsonNode? Resolve(string reference)
        {
            // The normaliser leaves only #/components/... references; anything else has nothing to point at here.
            const string Prefix = "#/components/";
            if (components is null || !reference.StartsWith(Prefix, StringComparison.Ordinal))
            {
                return null;
            }

            JsonNode? node = components;
            foreach (var raw in reference[Prefix.Length..].Split('/'))
            {
                var segment = Uri.UnescapeDataString(raw).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
                node = node switch
                {
                    JsonObject obj => obj[segment],
                    JsonArray arr when int.TryParse(segment, out var index) && index >= 0 && index < arr.Count => arr[index],
                    _ => null,
                };
                if (node is null)
                {
                    return null;
                }
            }

            return node;
        }
    }

    /// <summary>example, else the first of examples (3.1), else default, else const, else the first non-null enum value.</summary>
    private static bool TryOwnExample(JsonObject s, out JsonNode? example)
    {
        // A null example or default is how 3.0 specs say "none"; const and enum mean null when they say it.
        if (s["example"] is { } single)
        {
            example = single.DeepClone();
            return true;
        }

        if (s["examples"] is JsonArray { Count: > 0 } examples)
        {
            example = examples[0]?.DeepClone();
            return true;
        }

        if (s["default"] is { } defaultValue)
        {
            example = defaultValue.DeepClone();
            return true;
        }

        if (s.TryGetPropertyValue("const", out var constant))
        {
            example = constant?.DeepClone();
            return true;
        }

        if (s["enum"] is JsonArray { Count: > 0 } values)
        {
            example = (values.FirstOrDefault(v => v is not null) ?? values[0])?.DeepClone();
            return true;
        }

        example = null;
        return false;
    }

    /// <summary>The type the example takes: the first non-null one of a type array, else one implied by the keywords.</summary>
    private static string? PrimaryType(JsonObject s)
    {
        switch (s["type"])
        {
            case JsonValue single when Str(single) is { } type:
                return type;
            case JsonArray types:
                var named = types.Select(Str).Where(t => t is not null).ToList();
                return named.FirstOrDefault(t => t != "null") ?? named.FirstOrDefault();
        }

        if (HasObjectShape(s))
        {
            return "object";
        }

        if (s.ContainsKey("items") || s.ContainsKey("prefixItems") || s.ContainsKey("minItems") || s.ContainsKey("maxItems"))
        {
            return "array";
        }

        if (s.ContainsKey("format") || s.ContainsKey("pattern") || s.ContainsKey("minLength") || s.ContainsKey("maxLength"))
        {
            return "string";
        }

        if (s.ContainsKey("minimum") || s.ContainsKey("maximum") || s.ContainsKey("exclusiveMinimum") || s.ContainsKey("exclusiveMaximum") ||
            s.ContainsKey("multipleOf"))
        {
            return "number";
        }

        return null;
    }

    private static bool HasObjectShape(JsonObject s) =>
        Str(s["type"]) == "object" || s.ContainsKey("properties") || s.ContainsKey("additionalProperties") || s.ContainsKey("required");

    private static string StringFor(JsonObject s)
    {
        var format = Str(s["format"])?.ToLowerInvariant();
        var known = format switch
        {
            "date-time" => "2024-01-15T10:30:00Z",
            "date" => "2024-01-15",
            "time" => "10:30:00Z",
            "duration" => "P1D",
            "uuid" or "guid" => "3fa85f64-5717-4562-b3fc-2c963f66afa6",
            "email" or "idn-email" => "user@example.com",
            "uri" or "url" or "iri" => "https://example.com",
            "uri-reference" or "iri-reference" => "/example",
            "uri-template" => "https://example.com/{id}",
            "hostname" or "idn-hostname" => "example.com",
            "ipv4" => "192.0.2.1",
            "ipv6" => "2001:db8::1",
            "byte" => "ZXhhbXBsZQ==",
            "int32" or "int64" or "decimal" or "double" or "float" => "0",
            "json-pointer" => "/example",
            "relative-json-pointer" => "0",
            "regex" => "^.*$",
            "password" => "********",
            _ => null,
        };
        if (known is not null)
        {
            return known;
        }

        // "string", stretched or cut to fit minLength/maxLength.
        var minLength = (int)Math.Clamp(Num(s["minLength"]) ?? 0, 0, MaxStringLength);
        var maxLength = (int)Math.Clamp(Num(s["maxLength"]) ?? MaxStringLength, minLength, MaxStringLength);
        var text = "string";
        while (text.Length < minLength)
        {
            text += "string";
        }

        return text[..Math.Min(text.Length, minLength > 6 ? minLength : maxLength)];
    }

    private static JsonNode IntegerFor(JsonObject s)
    {
        var (low, high) = Bounds(s);
        double? lowest = low is { } l ? (l.Exclusive ? Math.Floor(l.Value) + 1 : Math.Ceiling(l.Value)) : null;
        double? highest = high is { } h ? (h.Exclusive ? Math.Ceiling(h.Value) - 1 : Math.Floor(h.Value)) : null;
        var value = lowest ?? (highest < 0 ? highest.Value : 0);
        if (Num(s["multipleOf"]) is > 0 and var step && Math.Floor(step) == step)
        {
            value = RoundedUp(value, step, low, high);
        }

        return value is >= long.MinValue and <= long.MaxValue ? JsonValue.Create((long)value) : JsonValue.Create(value);
    }

    private static JsonNode NumberFor(JsonObject s)
    {
        var (low, high) = Bounds(s);
        double value;
        if (low is { } l)
        {
            // Above an exclusive lower bound: by one, or halfway to the upper bound when that is closer.
            value = !l.Exclusive ? l.Value
                : high is { } h && h.Value - l.Value <= 1 ? l.Value + ((h.Value - l.Value) / 2)
                : l.Value + 1;
        }
        else if (high is { } h && h.Value <= 0)
        {
            value = h.Exclusive ? h.Value - 1 : h.Value;
        }
        else
        {
            value = 0;
        }

        if (Num(s["multipleOf"]) is > 0 and var step)
        {
            value = RoundedUp(value, step, low, high);
        }

        return JsonValue.Create(value);
    }

    /// <summary>The first multiple of <paramref name="step"/> from <paramref name="value"/> up, when it is within the bounds.</summary>
    private static double RoundedUp(double value, double step, (double Value, bool Exclusive)? low, (double Value, bool Exclusive)? high)
    {
        var rounded = Math.Ceiling(value / step) * step;
        var aboveLow = low is not { } l || (l.Exclusive ? rounded > l.Value : rounded >= l.Value);
        var belowHigh = high is not { } h || (h.Exclusive ? rounded < h.Value : rounded <= h.Value);
        return aboveLow && belowHigh ? rounded : value;
    }

    /// <summary>The lower and upper bounds, from the 3.1 numeric form or the 3.0 boolean form of exclusiveMinimum/Maximum.</summary>
    private static ((double Value, bool Exclusive)? Low, (double Value, bool Exclusive)? High) Bounds(JsonObject s)
    {
        (double, bool)? low = null;
        (double, bool)? high = null;
        var minimum = Num(s["minimum"]);
        var maximum = Num(s["maximum"]);
        if (Num(s["exclusiveMinimum"]) is { } exclusiveMinimum)
        {
            low = (exclusiveMinimum, true);
        }
        else if (minimum is { } min)
        {
            low = (min, IsTrue(s["exclusiveMinimum"]));
        }

        if (Num(s["exclusiveMaximum"]) is { } exclusiveMaximum)
        {
            high = (exclusiveMaximum, true);
        }
        else if (maximum is { } max)
        {
            high = (max, IsTrue(s["exclusiveMaximum"]));
        }

        return (low, high);
    }

    private static string? Str(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static double? Num(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<double>(out var number) && double.IsFinite(number) ? number : null;

    private static bool IsTrue(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<bool>(out var flag) && flag;
}
