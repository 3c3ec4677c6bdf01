using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Edge.Gateway.Config;
using Edge.Gateway.Handlers;

namespace Edge.Gateway.Admin;

/// <summary>
/// <c>/api/endpoints/{id}/versions</c>: an endpoint's kept code revisions with who saved them, and
/// <c>POST /api/endpoints/{id}/rollback</c> to serve an older one again.
/// </summary>
internal static class VersionsApi
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/endpoints/{id}/versions", (string id, ConfigStore store) =>
        {
            if (store.GetEndpoint(id) is not { } endpoint)
            {
                return AdminJson.NotFound("endpoint", id);
            }

            return AdminJson.Ok(store.ListRevisions(id).OrderByDescending(r => r.Revision).Select(r => Summary(endpoint, r)));
        });

        api.MapGet("/endpoints/{id}/versions/{version}", (string id, string version, ConfigStore store) =>
        {
            if (store.GetEndpoint(id) is not { } endpoint)
            {
                return AdminJson.NotFound("endpoint", id);
            }

            if (!int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1)
            {
                return AdminJson.Fail(StatusCodes.Status400BadRequest, $"invalid request: version: must be a positive integer, got '{version}'");
            }

            if (store.GetRevision(id, number) is not { } revision)
            {
                return AdminJson.Fail(StatusCodes.Status404NotFound, $"endpoint '{id}' has no version {number}");
            }

            return AdminJson.Ok(new VersionDetail(Summary(endpoint, revision), revision.Code,
                endpoint.Dependencies is null ? null : JsonDocument.Parse(endpoint.Dependencies).RootElement.Clone()));
        });

        api.MapPost("/endpoints/{id}/rollback", async (string id, HttpContext http, ConfigStore store, EndpointManager manager) =>
        {
            if (store.GetEndpoint(id) is null)
            {
                return AdminJson.NotFound("endpoint", id);
            }

            var (input, error) = await JsonInput.ReadAsync(http.Request);
            if (input is null)
            {
                return error!;
            }

            input.RejectUnknown(["version"], []);
            var version = input.Integer("version", 1, int.MaxValue);
            if (!input.Has("version"))
            {
                input.Error("version", "is required: the version to roll back to");
            }

            if (input.Problems() is { } problems)
            {
                return problems;
            }

            try
            {
                var outcome = await manager.RollbackAsync(id, (int)version!.Value, AdminCaller.Of(http).Name);
                return outcome is null
                    ? AdminJson.Fail(StatusCodes.Status404NotFound, $"endpoint '{id}' has no version {version}")
                    : AdminJson.Ok(new { Version = outcome.Revision, outcome.RolledBackTo, outcome.Status, outcome.ReplacedRevision });
            }
            catch (CompileFailedException ex)
            {
                return AdminJson.Fail(StatusCodes.Status422UnprocessableEntity, $"version {version} no longer compiles; nothing changed: {ex.Message}",
                    new { Diagnostics = ex.Diagnostics.Select(d => new { d.Line, d.Column, d.Severity, d.Id, d.Message }) });
            }
            catch (Exception ex) when (ex is HandlerLoadException or EndpointStateException)
            {
                return AdminJson.Fail(ex is HandlerLoadException ? StatusCodes.Status422UnprocessableEntity : StatusCodes.Status409Conflict, ex.Message);
            }
        });
    }

    private static VersionSummary Summary(EndpointRecord endpoint, EndpointRevision r)
    {
        var bytes = Encoding.UTF8.GetBytes(r.Code);
        return new VersionSummary(r.Revision, r.CreatedAt, r.CreatedBy, bytes.Length, Convert.ToHexStringLower(SHA256.HashData(bytes)),
            r.CompileHash is not null, endpoint.RunningRevision == r.Revision, endpoint.Revision == r.Revision);
    }
}
