using Edge.Gateway.Config;
using Edge.Gateway.Handlers;

namespace Edge.Gateway.Admin;

/// <summary><c>/api/collections</c>: groups of endpoints within a domain.</summary>
internal static class CollectionsApi
{
    private static readonly string[] Fields = ["domain_id", "name", "description", "base_path", "enabled"];
    private static readonly string[] ReadOnly = ["id", "created_at", "updated_at"];

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/collections", (string? domain_id, ConfigStore store) => AdminJson.Ok(store.ListCollections(domain_id)));

        api.MapGet("/collections/{id}", (string id, ConfigStore store) =>
            store.GetCollection(id) is { } c ? AdminJson.Ok(c) : AdminJson.NotFound("collection", id));

        api.MapGet("/collections/{id}/endpoints", (string id, ConfigStore store, Handlers.EndpointManager manager) =>
            store.GetCollection(id) is null
                ? AdminJson.NotFound("collection", id)
                : AdminJson.Ok(store.ListEndpoints(new EndpointFilter(CollectionId: id)).Select(e => EndpointView.From(e, manager.Registry.DrainingOf(e.Id)))));

        api.MapPost("/collections", async (HttpRequest request, ConfigStore store) =>
        {
            var (input, error) = await JsonInput.ReadAsync(request);
            if (input is null)
            {
                return error!;
            }

            input.RejectUnknown(Fields, ReadOnly);
            var domainId = input.String("domain_id", required: true, maxLength: 64);
            var name = input.String("name", required: true, maxLength: 200);
            var description = input.String("description", maxLength: 4000, allowEmpty: true);
            var basePath = ReadBasePath(input);
            var enabled = input.Bool("enabled");
            if (domainId is not null && store.GetDomain(domainId) is null)
            {
                input.Error("domain_id", $"no domain with id '{domainId}'");
            }

            if (input.Problems() is { } problems)
            {
                return problems;
            }

            var now = store.Now();
            var created = store.InsertCollection(new CollectionRecord
            {
                Id = Validation.NewId(),
                DomainId = domainId!,
                Name = name!,
                Description = description,
                BasePath = basePath,
                Enabled = enabled ?? true,
                CreatedAt = now,
                UpdatedAt = now,
            });
            return AdminJson.Ok(created, StatusCodes.Status201Created);
        });

        api.MapPut("/collections/{id}", async (string id, HttpRequest request, ConfigStore store, EndpointManager manager) =>
        {
            if (store.GetCollection(id) is not { } existing)
            {
                return AdminJson.NotFound("collection", id);
            }

            var (input, error) = await JsonInput.ReadAsync(request);
            if (input is null)
            {
                return error!;
            }

            input.RejectUnknown(Fields, ReadOnly);
            var name = input.String("name", maxLength: 200, allowNull: false);
            var description = input.String("description", maxLength: 4000, allowEmpty: true);
            var basePath = ReadBasePath(input);
            var enabled = input.Bool("enabled");
            if (input.Has("domain_id") && input.String("domain_id", maxLength: 64) is { } domainId && domainId != existing.DomainId)
            {
                input.Error("domain_id", "cannot be changed: create the collection in the other domain instead");
            }

            if (input.Problems() is { } problems)
            {
                return problems;
            }

            var hasDescription = input.Has("description");
            var hasBasePath = input.Has("base_path");
            var updated = store.UpdateCollection(id, current => current with
            {
                Name = name ?? current.Name,
                Description = hasDescription ? description : current.Description,
                BasePath = hasBasePath ? basePath : current.BasePath,
                Enabled = enabled ?? current.Enabled,
            });
            if (updated is null)
            {
                return AdminJson.NotFound("collection", id);
            }

            manager.RebuildRoutes();
            return AdminJson.Ok(updated);
        });

        api.MapDelete("/collections/{id}", (string id, ConfigStore store, EndpointManager manager) =>
        {
            if (store.GetCollection(id) is null)
            {
                return AdminJson.NotFound("collection", id);
            }

            var doomed = store.ListEndpoints(new EndpointFilter(CollectionId: id)).Select(e => e.Id).ToList();
            store.DeleteCollection(id);
            manager.EndpointsRemoved(doomed);
            return AdminJson.Ok(null);
        });
    }

    private static string? ReadBasePath(JsonInput input)
    {
        var basePath = input.String("base_path", maxLength: 1024, allowEmpty: true);
        if (basePath is { Length: > 0 } && basePath[0] != '/')
        {
            input.Error("base_path", "must start with '/'");
            return null;
        }

        return basePath;
    }
}
