using System.Text.Json;
using System.Text.Json.Nodes;

namespace Edge.Gateway.Policies;

/// <summary>Small readers shared by the policy settings (admin API bodies and imported <c>x-edge</c> blocks).</summary>
internal static class PolicyJson
{
    public static long? Integer(JsonObject obj, string field, long min, long max, bool required, List<string> problems)
    {
        if (!obj.TryGetPropertyValue(field, out var node) || node is null)
        {
            if (required)
            {
                problems.Add($"{field} is required (an integer between {min} and {max})");
            }

            return null;
        }

        if (node.GetValueKind() == JsonValueKind.Number && node.AsValue().TryGetValue<long>(out var value) && value >= min && value <= max)
        {
            return value;
        }

        problems.Add($"{field} must be an integer between {min} and {max}, got {node.ToJsonString()}");
        return null;
    }

    /// <summary>An array of strings; null (with a problem) when it is something else.</summary>
    public static List<string>? Strings(JsonObject obj, string field, int maxCount, List<string> problems)
    {
        if (!obj.TryGetPropertyValue(field, out var node) || node is null)
        {
            return null;
        }

        if (node is not JsonArray array || array.Count > maxCount)
        {
            problems.Add($"{field} must be an array of at most {maxCount} strings");
            return null;
        }

        var list = new List<string>(array.Count);
        foreach (var item in array)
        {
            if (item is not JsonValue value || !value.TryGetValue<string>(out var text))
            {
                problems.Add($"{field} must be an array of strings, got {item?.ToJsonString() ?? "null"} in it");
                return null;
            }

            list.Add(text);
        }

        return list;
    }

    /// <summary>RFC 9110 token characters (header names, methods).</summary>
    public static bool IsToken(string text)
    {
        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return text.Length > 0;
    }
}
