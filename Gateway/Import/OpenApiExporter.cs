using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Gateway.Config;
using Edge.Gateway.OpenApi;
using Edge.Gateway.Routing;

namespace Edge.Gateway.Import;

/// <summary>
/// Writes what edge serves as an OpenAPI 3.1 document (and as a bundle the importer reads back): imported endpoints
/// keep their operation and schemas, hand-made ones get their path parameters and a bare 200. edge's own settings
/// travel in <c>x-edge</c>, so export → import reproduces the same endpoints.
/// </summary>
internal static class OpenApiExporter
{
    private const string SchemaPrefix = "#/components/schemas/";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The document, and for each endpoint the operationId it was given (unique, also after normalising).</summary>
    public static (JsonObject Document, IReadOnlyDictionary<string, string> OperationIds) Document(
        IReadOnlyList<EndpointRecord> endpoints, CollectionRecord? collection, string? domain)
    {
        var basePath = collection?.BasePath?.TrimEnd('/') ?? "";
        if (basePath.Length > 0 && endpoints.Any(e => !Under(e.Path, basePath)))
        {
            // Some endpoint lives outside the collection's base path: full paths, no server prefix.
            basePath = "";
        }

        var paths = new JsonObject();
        var schemas = new JsonObject();
        var operationIds = new Dictionary<string, string>(StringComparer.Ordinal);
        var normalisedIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var endpoint in endpoints.OrderBy(e => e.Path, StringComparer.Ordinal).ThenBy(e => e.Method, StringComparer.Ordinal))
        {
            var contract = Parse(endpoint.OpenApi);
            var operation = contract?["operation"]?.DeepClone() as JsonObject ?? new JsonObject();
            RenameSchemas(contract, operation, schemas);

            var operationId = endpoint.Name;
            for (var n = 2; !normalisedIds.Add(HandlerNames.NormaliseHandlerName(operationId)) || HandlerNames.NormaliseHandlerName(operationId).Length == 0; n++)
            {
                operationId = $"{endpoint.Name}_{n}";
            }

            operationIds[endpoint.Id] = operationId;
            operation["operationId"] = operationId;
            if (endpoint.Description != Described(operation))
            {
                operation.Remove("summary");
                operation.Remove("description");
                if (endpoint.Description is { } description)
                {
                    operation["description"] = description;
                }
            }

            var relative = basePath.Length == 0 ? endpoint.Path : endpoint.Path.Length == basePath.Length ? "/" : endpoint.Path[basePath.Length..];
            if (operation["parameters"] is null && RoutePattern.TryParse(endpoint.Path, out var pattern, out _) && pattern!.ParameterNames.Length > 0)
            {
                operation["parameters"] = new JsonArray([.. pattern.ParameterNames.Select(name => (JsonNode)new JsonObject
                {
                    ["name"] = name,
                    ["in"] = "path",
                    ["required"] = true,
                    ["schema"] = new JsonObject { ["type"] = "string" },
                })]);
            }

            operation["responses"] ??= new JsonObject { ["200"] = new JsonObject { ["description"] = "OK" } };
            var edge = new JsonObject
            {
                ["timeout_ms"] = endpoint.TimeoutMs,
                ["drain_timeout_ms"] = endpoint.DrainTimeoutMs,
                ["max_body_bytes"] = endpoint.MaxBodyBytes,
                ["validate_requests"] = endpoint.ValidateRequests,
                ["stream_body"] = endpoint.StreamBody,
                ["enabled"] = endpoint.Enabled,
                ["auth"] = endpoint.Auth,
            };
            if (operationId != endpoint.Name)
            {
                edge["name"] = endpoint.Name;
            }

            if (endpoint.FileRoots is { } roots)
            {
                edge["file_roots"] = JsonNode.Parse(roots);
            }

            if (endpoint.AllowedClientNames is { } clientNames)
            {
                edge["allowed_client_names"] = JsonNode.Parse(clientNames);
            }

            if (endpoint.RateLimit is { } rateLimit)
            {
                edge["rate_limit"] = JsonNode.Parse(rateLimit);
            }

            if (endpoint.MaxConcurrency is { } maxConcurrency)
            {
                edge["max_concurrency"] = maxConcurrency;
            }

            if (endpoint.QueueLimit is { } queueLimit)
            {
                edge["queue_limit"] = queueLimit;
            }

            if (endpoint.QueueTimeoutMs is { } queueTimeoutMs)
            {
                edge["queue_timeout_ms"] = queueTimeoutMs;
            }

            if (endpoint.Cors is { } cors)
            {
                edge["cors"] = JsonNode.Parse(cors);
            }

            operation["x-edge"] = edge;
            if (paths[relative] is not JsonObject item)
            {
                paths[relative] = item = new JsonObject();
            }

            item[endpoint.Method.ToLowerInvariant()] = operation;
        }

        var info = new JsonObject
        {
            ["title"] = collection?.Name ?? (domain is null ? "edge" : $"edge: {domain}"),
            ["version"] = "1.0.0",
        };
        if (collection?.Description is { } about)
        {
            info["description"] = about;
        }

        var document = new JsonObject { ["openapi"] = "3.1.0", ["info"] = info };
        if (basePath.Length > 0)
        {
            document["servers"] = new JsonArray(new JsonObject { ["url"] = basePath });
        }

        document["paths"] = paths;
        if (schemas.Count > 0)
        {
            document["components"] = new JsonObject { ["schemas"] = schemas };
        }

        return (document, operationIds);
    }

    /// <summary>A ZIP that <c>/api/import/bundle</c> reads back: openapi.json, bundle.yaml and every handler's current code.</summary>
    public static byte[] Bundle(IReadOnlyList<EndpointRecord> endpoints, CollectionRecord? collection, string? domain)
    {
        var (document, operationIds) = Document(endpoints, collection, domain);
        var files = new List<KeyValuePair<string, byte[]>>
        {
            new("openapi.json", Encoding.UTF8.GetBytes(document.ToJsonString(Indented) + "\n")),
        };

        var manifest = new StringBuilder()
            .AppendLine("# Exported by edge: import it again with POST /api/import/bundle or `edge import`.")
            .AppendLine("bundle:")
            .Append("  name: ").AppendLine(JsonSerializer.Serialize(document["info"]!["title"]!.GetValue<string>()))
            .AppendLine("  version: \"1.0.0\"");
        var dependencies = endpoints.Select(e => e.Dependencies).Distinct().ToList();
        if (dependencies is [{ } shared])
        {
            // JSON is YAML: the recorded dependencies go in as a flow mapping.
            manifest.Append("  dependencies: ").AppendLine(shared);
        }

        files.Add(new("bundle.yaml", Encoding.UTF8.GetBytes(manifest.ToString())));
        foreach (var endpoint in endpoints)
        {
            files.Add(new($"handlers/{FileName(operationIds[endpoint.Id])}.cs", Encoding.UTF8.GetBytes(endpoint.Code)));
        }

        return BundleArchive.Write(files);
    }

    /// <summary>A file name that normalises to the same handler name as the operationId.</summary>
    private static string FileName(string operationId)
    {
        var name = new StringBuilder(operationId.Length);
        foreach (var c in operationId)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_');
        }

        return name.ToString().Trim('_') is { Length: > 0 } trimmed ? trimmed : "handler";
    }

    private static bool Under(string path, string basePath) =>
        path == basePath || path.StartsWith(basePath + "/", StringComparison.Ordinal);

    /// <summary>The description an import derives from an operation's summary and description.</summary>
    private static string? Described(JsonObject operation)
    {
        var summary = (operation["summary"] as JsonValue)?.GetValueKind() == JsonValueKind.String ? operation["summary"]!.GetValue<string>() : null;
        var description = (operation["description"] as JsonValue)?.GetValueKind() == JsonValueKind.String ? operation["description"]!.GetValue<string>() : null;
        return summary is null ? description : description is null || description == summary ? summary : summary + "\n\n" + description;
    }

    /// <summary>
    /// Adds the contract's schemas to the document's; a name already taken by a different schema is renamed
    /// (Pet → Pet_2) and every reference to it in this operation follows.
    /// </summary>
    private static void RenameSchemas(JsonObject? contract, JsonObject operation, JsonObject schemas)
    {
        if (contract?["components"]?["schemas"] is not JsonObject own)
        {
            return;
        }

        var renames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, _) in own)
        {
            var target = name;
            for (var n = 2; schemas[target] is { } taken && !JsonNode.DeepEquals(taken, Renamed(own[name], renames)); n++)
            {
                target = $"{name}_{n}";
            }

            if (target != name)
            {
                renames[name] = target;
            }
        }

        foreach (var (name, schema) in own)
        {
            var target = renames.GetValueOrDefault(name, name);
            schemas[target] ??= Renamed(schema, renames);
        }

        if (renames.Count > 0)
        {
            Rewrite(operation, renames);
        }
    }

    private static JsonNode? Renamed(JsonNode? schema, Dictionary<string, string> renames)
    {
        var copy = schema?.DeepClone();
        if (copy is not null && renames.Count > 0)
        {
            Rewrite(copy, renames);
        }

        return copy;
    }

    private static void Rewrite(JsonNode node, Dictionary<string, string> renames)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj["$ref"] is JsonValue reference && reference.GetValueKind() == JsonValueKind.String &&
                    reference.GetValue<string>() is { } text && text.StartsWith(SchemaPrefix, StringComparison.Ordinal) &&
                    renames.TryGetValue(text[SchemaPrefix.Length..], out var renamed))
                {
                    obj["$ref"] = SchemaPrefix + renamed;
                }

                foreach (var (_, child) in obj.ToList())
                {
                    if (child is not null)
                    {
                        Rewrite(child, renames);
                    }
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    if (child is not null)
                    {
                        Rewrite(child, renames);
                    }
                }

                break;
        }
    }

    private static JsonObject? Parse(string? text)
    {
        if (text is null)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
