using System.Buffers;
using System.Collections.Frozen;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Edge.Gateway.OpenApi.Validation;

/// <summary>properties, required, additionalProperties, patternProperties, minProperties and maxProperties of one schema.</summary>
internal sealed class ObjectConstraints
{
    private const int MaxStackName = 128;
    private const int MaxStackProperties = 64;

    private readonly ObjectProperty[] _properties;
    private readonly byte[][] _utf8Names;
    private readonly FrozenDictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly FrozenDictionary<string, int> _index;
    private readonly bool _hasRequired;

    public ObjectConstraints(ObjectProperty[] properties)
    {
        _properties = properties;
        _utf8Names = new byte[properties.Length][];
        for (var i = 0; i < properties.Length; i++)
        {
            _utf8Names[i] = Encoding.UTF8.GetBytes(properties[i].Name);
        }

        var index = new Dictionary<string, int>(properties.Length, StringComparer.Ordinal);
        for (var i = 0; i < properties.Length; i++)
        {
            index[properties[i].Name] = i;
            _hasRequired |= properties[i].Required && !properties[i].ReadOnly;
        }

        _index = index.ToFrozenDictionary(StringComparer.Ordinal);
        _lookup = _index.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public PatternProperty[]? PatternProperties { get; init; }

    /// <summary>The schema of properties neither declared nor matched by a pattern; null allows them all.</summary>
    public SchemaNode? AdditionalProperties { get; init; }

    /// <summary>additionalProperties: false. Reported as "property 'x' is not allowed" at the property.</summary>
    public bool AdditionalForbidden { get; init; }

    public int MinProperties { get; init; }
    public int? MaxProperties { get; init; }

    public void Validate(JsonElement instance, ValidationContext context)
    {
        var properties = _properties;
        // PERF: which declared/required properties were seen, on the stack for any usual schema.
        var seen = properties.Length <= MaxStackProperties ? stackalloc bool[properties.Length] : new bool[properties.Length];
        var count = 0;
        var next = 0;
        foreach (var property in instance.EnumerateObject())
        {
            count++;
            var known = false;
            var index = properties.Length == 0 ? -1 : Find(property, next);
            if (index >= 0)
            {
                next = index + 1;
                seen[index] = true;
                var entry = properties[index];
                if (entry.Declared)
                {
                    known = true;
                    if (entry.Schema is not null && !entry.ReadOnly)
                    {
                        context.Push(entry.Name);
                        entry.Schema.Validate(property.Value, context);
                        context.Pop();
                    }
                }
            }

            if (PatternProperties is not null)
            {
                known |= ValidatePatterns(property, context);
            }

            if (!known)
            {
                if (AdditionalForbidden)
                {
                    if (context.Fail())
                    {
                        context.Push(property);
                        context.Describe($"property '{property.Name}' is not allowed");
                        context.Pop();
                    }
                }
                else if (AdditionalProperties is not null)
                {
                    context.Push(property);
                    AdditionalProperties.Validate(property.Value, context);
                    context.Pop();
                }
            }

            if (context.IsFull)
            {
                return;
            }
        }

        if (_hasRequired)
        {
            for (var i = 0; i < properties.Length; i++)
            {
                if (!seen[i] && properties[i].Required && !properties[i].ReadOnly && context.Fail())
                {
                    context.Describe($"missing required property '{properties[i].Name}'");
                }
            }
        }

        if (count < MinProperties && context.Fail())
        {
            context.Describe($"must have at least {StringConstraints.Plural(MinProperties, "property", "properties")}, got {count}");
        }

        if (MaxProperties is { } maxProperties && count > maxProperties && context.Fail())
        {
            context.Describe($"must have at most {StringConstraints.Plural(maxProperties, "property", "properties")}, got {count}");
        }
    }

    /// <summary>
    /// PERF: documents usually list properties in the schema's order, so the one after the last found is
    /// compared first, on raw UTF-8 bytes. Otherwise the name is transcoded on the stack and looked up without
    /// allocating a string; escaped or long names (rare) take the allocating path.
    /// </summary>
    private int Find(JsonProperty property, int expected)
    {
        var raw = JsonMarshal.GetRawUtf8PropertyName(property);
        var escaped = raw.IndexOf((byte)'\\') >= 0;
        if (!escaped && expected < _utf8Names.Length && raw.SequenceEqual(_utf8Names[expected]))
        {
            return expected;
        }

        if (!escaped && raw.Length <= MaxStackName)
        {
            Span<char> name = stackalloc char[MaxStackName];
            if (Utf8.ToUtf16(raw, name, out _, out var written) == OperationStatus.Done)
            {
                return _lookup.TryGetValue(name[..written], out var found) ? found : -1;
            }
        }

        return _index.TryGetValue(property.Name, out var index) ? index : -1;
    }

    private bool ValidatePatterns(JsonProperty property, ValidationContext context)
    {
        var matchedAny = false;
        var name = property.Name;
        foreach (var entry in PatternProperties!)
        {
            if (!entry.Pattern.TryMatch(name, out var matched))
            {
                if (context.Fail())
                {
                    context.Push(property);
                    context.Describe($"property name took too long to match against the pattern {entry.Pattern.Text}");
                    context.Pop();
                }

                matchedAny = true;
                continue;
            }

            if (matched)
            {
                matchedAny = true;
                context.Push(property);
                entry.Schema.Validate(property.Value, context);
                context.Pop();
            }
        }

        return matchedAny;
    }
}
