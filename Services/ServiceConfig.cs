using System.Text.Json;
using System.Text.Json.Nodes;

namespace Edge.Services;

/// <summary>Typed reads of a validated service config (<see cref="ServiceSchemas"/> has checked kinds and ranges).</summary>
internal static class ServiceConfig
{
    public static string? String(JsonObject config, string name) =>
        config[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    public static string RequiredString(JsonObject config, string name) =>
        String(config, name) ?? throw new InvalidOperationException($"config.{name} is required");

    public static int? Int(JsonObject config, string name) =>
        config[name] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var n) ? n : null;

    public static bool? Bool(JsonObject config, string name) =>
        config[name] is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? v.GetValue<bool>() : null;
}
