using Edge.Gateway.Config;
using Edge.Gateway.Handlers;

namespace Edge.Gateway.Admin;

/// <summary><c>/api/domains</c>: the hosts endpoints are served on.</summary>
internal static class DomainsApi
{
    private static readonly string[] Fields = ["name", "host", "description", "enabled"];
    private static readonly string[] ReadOnly = ["id", "created_at", "updated_at"];

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/domains", (ConfigStore store) => AdminJson.Ok(store.ListDomains()));

        api.MapGet("/domains/{id}", (string id, ConfigStore store) =>
            store.GetDomain(id) is { } d ? AdminJson.Ok(d) : AdminJson.NotFound("domain", id));

        api.MapGet("/domains/{id}/collections", (string id, ConfigStore store) =>
            store.GetDomain(id) is null ? AdminJson.NotFound("domain", id) : AdminJson.Ok(store.ListCollections(id)));

        api.MapPost("/domains", async (HttpRequest request, ConfigStore store, EndpointManager manager) =>
        {
            var (input, error) = await JsonInput.ReadAsync(request);
            if (input is null)
            {
                return error!;
            }

            input.RejectUnknown(Fields, ReadOnly);
            var name = input.String("name", required: true, maxLength: 200);
            var host = ReadHost(input, required: true);
            var description = input.String("description", maxLength: 4000, allowEmpty: true);
            var enabled = input.Bool("enabled");
            if (input.Problems() is { } problems)
            {
                return problems;
            }

            var now = store.Now();
            var created = store.InsertDomain(new DomainRecord
            {
                Id = Validation.NewId(),
                Name = name!,
                Host = host!.ToLowerInvariant(),
                Description = description,
                Enabled = enabled ?? true,
                CreatedAt = now,
                UpdatedAt = now,
            });
            manager.RebuildRoutes();
            return AdminJson.Ok(created, StatusCodes.Status201Created);
        });

        api.MapPut("/domains/{id}", async (string id, HttpRequest request, ConfigStore store, EndpointManager manager) =>
        {
            if (store.GetDomain(id) is null)
            {
                return AdminJson.NotFound("domain", id);
            }

            var (input, error) = await JsonInput.ReadAsync(request);
            if (input is null)
            {
                return error!;
            }

            input.RejectUnknown(Fields, ReadOnly);
            var name = input.String("name", maxLength: 200, allowNull: false);
            var host = ReadHost(input, required: false);
            var description = input.String("description", maxLength: 4000, allowEmpty: true);
            var enabled = input.Bool("enabled");
            if (input.Problems() is { } problems)
            {
                return problems;
            }

            var hasDescription = input.Has("description");
            var updated = store.UpdateDomain(id, current => current with
            {
                Name = name ?? current.Name,
                Host = host?.ToLowerInvariant() ?? current.Host,
                Description = hasDescription ? description : current.Description,
                Enabled = enabled ?? current.Enabled,
            });
            if (updated is null)
            {
                return AdminJson.NotFound("domain", id);
            }

            manager.RebuildRoutes();
            return AdminJson.Ok(updated);
        });

        api.MapDelete("/domains/{id}", (string id, ConfigStore store, EndpointManager manager) =>
        {
            if (store.GetDomain(id) is not { } domain)
            {
                return AdminJson.NotFound("domain", id);
            }

            var collectionIds = store.ListCollections(id).Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
            var doomed = store.ListEndpoints()
                .Where(e => string.Equals(e.Domain, domain.Host, StringComparison.OrdinalIgnoreCase) ||
                            (e.CollectionId is { } c && collectionIds.Contains(c)))
                .Select(e => e.Id)
                .ToList();
            store.DeleteDomain(id);
            manager.EndpointsRemoved(doomed);
            return AdminJson.Ok(null);
        });
    }

    private static string? ReadHost(JsonInput input, bool required)
    {
        var host = input.String("host", required: required, maxLength: 253, allowNull: false);
        if (host is not null && !Validation.IsHost(host))
        {
            input.Error("host", $"'{host}' is not a host name or IP address (no scheme, port or path)");
            return null;
        }

        return host;
    }
}
