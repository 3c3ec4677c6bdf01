using System.Text.Json.Nodes;
using Edge.Gateway.Config;
using Edge.Services;

namespace Edge.Gateway.Admin;

/// <summary>
/// <c>/api/services</c> (backend connections, secrets always redacted on the way out) and the endpoint
/// bindings <c>/api/endpoints/{id}/services</c>.
/// </summary>
internal static class ServicesApi
{
    public const int MaxPoolIdLength = 64;

    private static readonly string[] Fields = ["name", "service_type", "config", "enabled"];
    private static readonly string[] ReadOnly = ["id", "created_at", "updated_at"];
    private static readonly string[] BindingFields = ["service_id", "pool_id"];

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/services", (ConfigStore store) => AdminJson.Ok(store.ListServices().Select(View)));

        api.MapGet("/services/{id}", (string id, ConfigStore store) =>
            store.GetService(id) is { } s ? AdminJson.Ok(View(s)) : AdminJson.NotFound("service", id));

        api.MapPost("/services", async (HttpRequest request, ConfigStore store) =>
        {
            var (input, error) = await JsonInput.ReadAsync(request);
            if (input is null)
            {
                return error!;
            }

            input.RejectUnknown(Fields, ReadOnly);
            var name = input.String("name", required: true, maxLength: 100);
            var type = input.String("service_type", required: true, maxLength: 32);
            var config = input.Object("config", required: true);
            var enabled = input.Bool("enabled");
            if (type is not null && config is not null)
            {
                ServiceSchemas.Validate(type, config, input.Error);
            }
            else if (type is not null && !ServiceSchemas.Types.ContainsKey(type))
            {
                ServiceSchemas.Validate(type, [], input.Error);
            }

            if (input.Problems() is { } problems)
            {
                return problems;
            }

            var now = store.Now();
            var created = store.InsertService(new ServiceRecord
            {
                Id = Validation.NewId(),
                Name = name!,
                ServiceType = type!,
                Config = config!.ToJsonString(),
                Enabled = enabled ?? true,
                CreatedAt = now,
                UpdatedAt = now,
            });
            return AdminJson.Ok(View(created), StatusCodes.Status201Created);
        });

        api.MapPut("/services/{id}", async (string id, HttpRequest request, ConfigStore store) =>
        {
            if (store.GetService(id) is not { } existing)
            {
                return AdminJson.NotFound("service", id);
            }

            var (input, error) = await JsonInput.ReadAsync(request);
            if (input is null)
            {
                return error!;
            }

            input.RejectUnknown(Fields, ReadOnly);
            var name = input.String("name", maxLength: 100, allowNull: false);
            var type = input.String("service_type", maxLength: 32, allowNull: false);
            var patch = input.Object("config");
            var enabled = input.Bool("enabled");
            if (type is not null && type != existing.ServiceType)
            {
                input.Error("service_type", "cannot be changed: create a new service of the other type");
            }

            if (patch is not null)
            {
                // Check the merged result, as it will be stored: a partial config must still make a whole one.
                ServiceSchemas.Validate(existing.ServiceType, ServiceSchemas.Merge(existing.ServiceType, Parse(existing.Config), patch), input.Error);
            }

            if (input.Problems() is { } problems)
            {
                return problems;
            }

            var updated = store.UpdateService(id, current => current with
            {
                Name = name ?? current.Name,
                Config = patch is null ? current.Config : ServiceSchemas.Merge(current.ServiceType, Parse(current.Config), patch).ToJsonString(),
                Enabled = enabled ?? current.Enabled,
            });
            return updated is null ? AdminJson.NotFound("service", id) : AdminJson.Ok(View(updated));
        });

        api.MapDelete("/services/{id}", (string id, ConfigStore store) =>
            store.DeleteService(id) ? AdminJson.Ok(null) : AdminJson.NotFound("service", id));

        api.MapGet("/endpoints/{id}/services", (string id, ConfigStore store) =>
            store.GetEndpoint(id) is null
                ? AdminJson.NotFound("endpoint", id)
                : AdminJson.Ok(store.ListBindings(id).Select(b => BindingView(b, store.GetService(b.ServiceId)))));

        api.MapPost("/endpoints/{id}/services", async (string id, HttpRequest request, ConfigStore store) =>
        {
            if (store.GetEndpoint(id) is null)
            {
                return AdminJson.NotFound("endpoint", id);
            }

            var (input, error) = await JsonInput.ReadAsync(request);
            if (input is null)
            {
                return error!;
            }

            input.RejectUnknown(BindingFields, []);
            var serviceId = input.String("service_id", required: true, maxLength: 64);
            var poolId = input.String("pool_id", required: true, maxLength: MaxPoolIdLength);
            var service = serviceId is null ? null : store.GetService(serviceId);
            if (serviceId is not null && service is null)
            {
                input.Error("service_id", $"no service with id '{serviceId}'");
            }

            if (poolId is not null && !poolId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                input.Error("pool_id", "may contain only letters, digits, '-', '_' and '.'");
            }

            if (input.Problems() is { } problems)
            {
                return problems;
            }

            var binding = store.Bind(new ServiceBinding(id, serviceId!, poolId!));
            return AdminJson.Ok(BindingView(binding, service), StatusCodes.Status201Created);
        });

        api.MapDelete("/endpoints/{id}/services/{serviceId}", (string id, string serviceId, ConfigStore store) =>
        {
            if (store.GetEndpoint(id) is null)
            {
                return AdminJson.NotFound("endpoint", id);
            }

            return store.Unbind(id, serviceId)
                ? AdminJson.Ok(null)
                : AdminJson.Fail(StatusCodes.Status404NotFound, $"service '{serviceId}' is not bound to endpoint '{id}'");
        });
    }

    private static JsonObject Parse(string config) => JsonNode.Parse(config) as JsonObject ?? [];

    private static object View(ServiceRecord s) => new
    {
        s.Id,
        s.Name,
        s.ServiceType,
        Config = ServiceSchemas.Redact(s.ServiceType, Parse(s.Config)),
        s.Enabled,
        s.CreatedAt,
        s.UpdatedAt,
    };

    private static object BindingView(ServiceBinding b, ServiceRecord? s) =>
        new { b.EndpointId, b.ServiceId, b.PoolId, ServiceName = s?.Name, ServiceType = s?.ServiceType };
}
