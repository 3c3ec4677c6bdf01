using System.Text.Json;
using Edge.Gateway.Config;
using Edge.Gateway.Import;

namespace Edge.Gateway.Admin;

/// <summary>
/// <c>/api/export/openapi</c> (an OpenAPI 3.1 JSON document of what edge serves) and <c>/api/export/bundle</c> (a ZIP
/// that <c>/api/import/bundle</c> reads back, with the handlers' current code). Filtered by domain and collection.
/// </summary>
internal static class ExportApi
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/export/openapi", (HttpRequest request, ConfigStore store) =>
        {
            var (endpoints, collection, domain, error) = Select(request, store);
            if (error is not null)
            {
                return error;
            }

            var (document, _) = OpenApiExporter.Document(endpoints!, collection, domain);
            return Results.Text(document.ToJsonString(Indented), "application/json; charset=utf-8");
        });

        api.MapGet("/export/bundle", (HttpRequest request, ConfigStore store) =>
        {
            var (endpoints, collection, domain, error) = Select(request, store);
            if (error is not null)
            {
                return error;
            }

            var name = collection?.Name ?? domain ?? "edge";
            var file = new string([.. name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-')]).Trim('-', '.');
            return Results.File(OpenApiExporter.Bundle(endpoints!, collection, domain), "application/zip", (file.Length == 0 ? "edge" : file) + "-bundle.zip");
        });
    }

    private static (IReadOnlyList<EndpointRecord>? Endpoints, CollectionRecord? Collection, string? Domain, IResult? Error) Select(HttpRequest request, ConfigStore store)
    {
        var domain = request.Query.TryGetValue("domain", out var d) && !string.IsNullOrWhiteSpace(d) ? d.ToString().ToLowerInvariant() : null;
        CollectionRecord? collection = null;
        if (request.Query.TryGetValue("collection_id", out var c) && !string.IsNullOrWhiteSpace(c))
        {
            collection = store.GetCollection(c.ToString());
            if (collection is null)
            {
                return (null, null, null, AdminJson.NotFound("collection", c.ToString()));
            }
        }

        var endpoints = store.ListEndpoints(new EndpointFilter(domain, collection?.Id));
        return (endpoints, collection, domain, null);
    }
}
