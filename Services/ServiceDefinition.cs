using System.Text.Json.Nodes;

namespace Edge.Services;

/// <summary>What a connector is built from: the service's identity and its validated config (secrets included, never logged).</summary>
internal sealed record ServiceDefinition(string Id, string Name, string Type, JsonObject Config);
