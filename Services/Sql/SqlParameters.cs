using System.Collections;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Sdk;

namespace Edge.Services.Sql;

/// <summary>
/// Turns a handler's <c>args</c> (an anonymous object, a dictionary, a JSON object) into named parameter values
/// every driver accepts. Problems are the handler's: a 500 naming the parameter, before any backend call.
/// </summary>
internal static class SqlParameters
{
    // Handler types live in collectible load contexts: a weak table lets them unload (a static Dictionary would pin them).
    private static readonly ConditionalWeakTable<Type, PropertyInfo[]> Properties = new();

    public static List<KeyValuePair<string, object>> Read(object? args)
    {
        var list = new List<KeyValuePair<string, object>>();
        switch (args)
        {
            case null:
                break;
            case IEnumerable<KeyValuePair<string, object?>> pairs:
                foreach (var (name, value) in pairs)
                {
                    Add(list, name, value);
                }

                break;
            case IDictionary map:
                foreach (DictionaryEntry entry in map)
                {
                    Add(list, entry.Key as string ?? Convert.ToString(entry.Key, System.Globalization.CultureInfo.InvariantCulture) ?? "", entry.Value);
                }

                break;
            case JsonObject json:
                foreach (var (name, value) in json)
                {
                    Add(list, name, value);
                }

                break;
            case JsonElement { ValueKind: JsonValueKind.Object } json:
                foreach (var property in json.EnumerateObject())
                {
                    Add(list, property.Name, property.Value);
                }

                break;
            case string or JsonNode or JsonElement or IEnumerable or Enum or decimal or DateTime or DateTimeOffset or Guid or TimeSpan:
            case var _ when args.GetType().IsPrimitive:
                throw HandlerError.Internal(
                    $"database args must be an anonymous object (new {{ id = 1 }}) or a dictionary of name → value, got {args.GetType().Name}");
            default:
                foreach (var property in Properties.GetValue(args.GetType(), ReadableProperties))
                {
                    Add(list, property.Name, property.GetValue(args));
                }

                break;
        }

        return list;
    }

    /// <summary>A value as a driver parameter: null → DBNull, enums → their number, JSON → the CLR primitive.</summary>
    public static object ToDb(string name, object? value) => value switch
    {
        null or DBNull => DBNull.Value,
        string or bool or byte or short or int or long or float or double or decimal or DateTime or DateTimeOffset
            or TimeSpan or Guid or byte[] => value,
        char c => c.ToString(),
        sbyte n => (short)n,
        ushort n => (int)n,
        uint n => (long)n,
        ulong n => n <= long.MaxValue ? (long)n : (decimal)n,
        Enum e => ToDb(name, Convert.ChangeType(e, Enum.GetUnderlyingType(e.GetType()), System.Globalization.CultureInfo.InvariantCulture)),
        DateOnly d => d.ToDateTime(TimeOnly.MinValue),
        TimeOnly t => t.ToTimeSpan(),
        JsonElement json => FromJson(json),
        JsonValue json => FromJson(JsonSerializer.SerializeToElement(json)),
        JsonNode json => json.ToJsonString(),
        _ => throw HandlerError.Internal(
            $"parameter @{name}: a {value.GetType().Name} cannot be sent to the database; use strings, numbers, booleans, dates, Guid, byte[], enums, JSON values or null"),
    };

    private static void Add(List<KeyValuePair<string, object>> list, string name, object? value)
    {
        var bare = name.StartsWith('@') ? name[1..] : name;
        if (bare.Length == 0 || !(char.IsAsciiLetter(bare[0]) || bare[0] == '_') || !bare.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            throw HandlerError.Internal($"database parameter name '{name}' must be letters, digits and '_' (used as @name in the SQL)");
        }

        list.Add(new(bare, ToDb(bare, value)));
    }

    private static object FromJson(JsonElement json) => json.ValueKind switch
    {
        JsonValueKind.String => json.GetString()!,
        JsonValueKind.Number => json.TryGetInt64(out var n) ? n : json.TryGetDecimal(out var d) ? d : json.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Object or JsonValueKind.Array => json.GetRawText(),
        _ => DBNull.Value,
    };

    private static PropertyInfo[] ReadableProperties(Type type) =>
        [.. type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.GetIndexParameters().Length == 0)];
}
