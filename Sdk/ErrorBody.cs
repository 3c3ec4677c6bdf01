using System.Text.Json.Serialization;

namespace Edge.Sdk;

/// <summary>The JSON body of every error response: <c>{"error": "..."}</c>, whatever the naming policy.</summary>
internal sealed record ErrorBody([property: JsonPropertyName("error")] string Error);
