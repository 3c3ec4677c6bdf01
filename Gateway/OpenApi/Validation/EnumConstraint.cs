using System.Collections.Frozen;
using System.Text;
using System.Text.Json;

namespace Edge.Gateway.OpenApi.Validation;

/// <summary>
/// "enum" or "const". An all-string enum (the usual case) is a frozen set looked up with the instance's text;
/// anything else is compared structurally (numbers by value: 1 equals 1.0).
/// </summary>
internal sealed class EnumConstraint
{
    private const int ListedValues = 20;

    private readonly FrozenSet<string>? _strings;
    private readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _stringLookup;
    private readonly JsonElement[] _values;

    public EnumConstraint(JsonElement[] values, bool isConst)
    {
        _values = values;
        var allStrings = true;
        foreach (var value in values)
        {
            allStrings &= value.ValueKind == JsonValueKind.String;
        }

        if (allStrings)
        {
            var strings = new string[values.Length];
            for (var i = 0; i < values.Length; i++)
            {
                strings[i] = values[i].GetString()!;
            }

            _strings = strings.ToFrozenSet(StringComparer.Ordinal);
            _stringLookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();
        }

        Message = isConst ? $"must be {values[0].GetRawText()}" : values.Length == 0 ? "no value is allowed (the enum is empty)" : ListMessage(values);
    }

    /// <summary>True when a string value is matched by its text (<see cref="MatchesText"/>): every value is a string.</summary>
    public bool NeedsText => _strings is not null;

    public string Message { get; }

    /// <summary>For a string value when <see cref="NeedsText"/>; no string is allocated for the lookup.</summary>
    public bool MatchesText(ReadOnlySpan<char> text) => _stringLookup.Contains(text);

    public bool Matches(JsonElement instance)
    {
        if (_strings is not null)
        {
            return instance.ValueKind == JsonValueKind.String && _strings.Contains(instance.GetString()!);
        }

        foreach (var value in _values)
        {
            if (JsonElement.DeepEquals(value, instance))
            {
                return true;
            }
        }

        return false;
    }

    private static string ListMessage(JsonElement[] values)
    {
        var builder = new StringBuilder("must be one of: ");
        for (var i = 0; i < values.Length && i < ListedValues; i++)
        {
            builder.Append(i == 0 ? "" : ", ").Append(Show(values[i]));
        }

        if (values.Length > ListedValues)
        {
            builder.Append(", … (").Append(values.Length).Append(" values)");
        }

        return builder.ToString();
    }

    private static string Show(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
}
