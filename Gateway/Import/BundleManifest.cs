using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Gateway.Admin;
using Edge.Gateway.Routing;

namespace Edge.Gateway.Import;

/// <summary>
/// A bundle's <c>bundle.yaml</c>: its name and version, the dependencies recorded on every endpoint, and routes that
/// name a handler file for an operation of the spec (or add a route the spec lacks).
/// </summary>
internal sealed record BundleManifest(string? Name, string? Version, JsonObject? Dependencies, IReadOnlyList<BundleRoute> Routes)
{
    /// <summary>Reads the parsed manifest; every problem is added to <paramref name="errors"/> naming <paramref name="file"/>.</summary>
    public static BundleManifest Read(JsonNode node, string file, List<ImportError> errors)
    {
        if (node is not JsonObject root)
        {
            errors.Add(new ImportError(null, file, "", "the manifest must be a mapping"));
            return new BundleManifest(null, null, null, []);
        }

        // Fields may sit under "bundle:" (the documented form) or at the top.
        var head = root["bundle"] as JsonObject ?? root;
        var prefix = ReferenceEquals(head, root) ? "" : "/bundle";
        var dependencies = head["dependencies"] ?? root["dependencies"];
        if (dependencies is not null and not JsonObject)
        {
            errors.Add(new ImportError(null, file, prefix + "/dependencies", "dependencies must be a mapping of name → version or settings"));
        }

        var routes = new List<BundleRoute>();
        if (root["routes"] is { } routesNode)
        {
            if (routesNode is not JsonArray list)
            {
                errors.Add(new ImportError(null, file, "/routes", "routes must be a list"));
            }
            else
            {
                for (var i = 0; i < list.Count; i++)
                {
                    var at = "/routes/" + i.ToString(CultureInfo.InvariantCulture);
                    if (ReadRoute(list[i], at, file, errors) is { } route)
                    {
                        routes.Add(route);
                    }
                }
            }
        }

        return new BundleManifest(Text(head["name"]), Text(head["version"]), dependencies as JsonObject, routes);
    }

    private static BundleRoute? ReadRoute(JsonNode? node, string at, string file, List<ImportError> errors)
    {
        if (node is not JsonObject route)
        {
            errors.Add(new ImportError(null, file, at, "a route must be a mapping with method, path and handler"));
            return null;
        }

        var method = Text(route["method"])?.ToUpperInvariant();
        var path = Text(route["path"]);
        var handler = Text(route["handler"]);
        var before = errors.Count;
        if (method is null || !Validation.Methods.Contains(method))
        {
            errors.Add(new ImportError(null, file, at + "/method", $"method must be one of {string.Join(", ", Validation.Methods)}"));
        }

        if (path is null)
        {
            errors.Add(new ImportError(null, file, at + "/path", "path is required"));
        }
        else if (!RoutePattern.TryParse(path, out _, out var problem))
        {
            errors.Add(new ImportError(null, file, at + "/path", $"path '{path}': {problem}"));
        }

        if (string.IsNullOrWhiteSpace(handler))
        {
            errors.Add(new ImportError(null, file, at + "/handler", "handler is required (a handler file name without .cs)"));
        }

        return errors.Count > before
            ? null
            : new BundleRoute(method!, path!, handler!, Text(route["name"]), Text(route["description"]), at);
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.GetValueKind() is JsonValueKind.String or JsonValueKind.Number
        ? value.ToString()
        : null;
}
