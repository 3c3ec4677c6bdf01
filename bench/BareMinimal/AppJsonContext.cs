using System.Text.Json;
using System.Text.Json.Serialization;

namespace Edge.Bench.BareMinimal;

// Web defaults (camelCase) so the body is exactly {"message":"hello"}, as edge serialises handler responses.
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Hello))]
internal sealed partial class AppJsonContext : JsonSerializerContext;
