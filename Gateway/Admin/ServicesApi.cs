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
        api.MapGet("/services", (ConfigStore store, ServiceManager services) => AdminJson.Ok(store.ListServices().Select(s => View(s, services))));

        api.MapGet("/services/{id}", (string id, ConfigStore store, ServiceManager services) =>
            store.GetService(id) is { } s ? AdminJson.Ok(View(s, services)) : AdminJson.NotFound("service", id));

        api.MapPost("/services", async (HttpRequest request, ConfigStore store, ServiceManager services) =>
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

            var now = store.Now();
            var record = new ServiceRecord
            {
                Id = Validation.NewId(),
                Name = name ?? "",
                ServiceType = type ?? "",
                Config = config?.ToJsonString() ?? "{}",
                Enabled = enabled ?? true,
                CreatedAt = now,
                UpdatedAt = now,
            };
            if (input.Problems() is null)
            {
                CheckBuildable(record, services, input);
            }

            if (input.Problems() is { } problems)
            {
                return problems;
            }

            var created = store.InsertService(record);
            await services.ConfigChangedAsync(created);
            return AdminJson.Ok(View(created, services), StatusCodes.Status201Created);
        });

        api.MapPut("/services/{id}", async (string id, HttpRequest request, ConfigStore store, ServiceManager services) =>
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
                var merged = ServiceSchemas.Merge(existing.ServiceType, Parse(existing.Config), patch);
                ServiceSchemas.Validate(existing.ServiceType, merged, input.Error);
                if (input.Problems() is null)
                {
                    CheckBuildable(existing with { Config = merged.ToJsonString() }, services, input);
                }
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
            if (updated is null)
            {
                return AdminJson.NotFound("service", id);
            }

            await services.ConfigChangedAsync(updated);
            return AdminJson.Ok(View(updated, services));
        });

        api.MapDelete("/services/{id}", async (string id, ConfigStore store, ServiceManager services) =>
        {
            if (!store.DeleteService(id))
            {
                return AdminJson.NotFound("service", id);
            }

            await services.RemovedAsync(id);
            return AdminJson.Ok(null);
        });

        api.MapPost("/services/{id}/activate", async (string id, ServiceManager services) =>
        {
            try
            {
                return await services.ActivateAsync(id) is { } result ? AdminJson.Ok(ActivationView(result)) : AdminJson.NotFound("service", id);
            }
            catch (InvalidOperationException ex)
            {
                return AdminJson.Fail(StatusCodes.Status400BadRequest, $"service cannot be activated: {ex.Message}");
            }
        });

        api.MapPost("/services/{id}/deactivate", async (string id, ServiceManager services) =>
            await services.DeactivateAsync(id) is { } result ? AdminJson.Ok(ActivationView(result)) : AdminJson.NotFound("service", id));

        api.MapPost("/services/{id}/test", async (string id, ServiceManager services) =>
            await services.TestAsync(id) is { } probe ? AdminJson.Ok(ProbeView(probe)) : AdminJson.NotFound("service", id));

        api.MapGet("/endpoints/{id}/services", (string id, ConfigStore store) =>
            store.GetEndpoint(id) is null
                ? AdminJson.NotFound("endpoint", id)
                : AdminJson.Ok(store.ListBindings(id).Select(b => BindingView(b, store.GetService(b.ServiceId)))));

        api.MapPost("/endpoints/{id}/services", async (string id, HttpRequest request, ConfigStore store, ServiceManager services) =>
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
            await services.RefreshAsync();
            return AdminJson.Ok(BindingView(binding, service), StatusCodes.Status201Created);
        });

        api.MapDelete("/endpoints/{id}/services/{serviceId}", async (string id, string serviceId, ConfigStore store, ServiceManager services) =>
        {
            if (store.GetEndpoint(id) is null)
            {
                return AdminJson.NotFound("endpoint", id);
            }

            if (!store.Unbind(id, serviceId))
            {
                return AdminJson.Fail(StatusCodes.Status404NotFound, $"service '{serviceId}' is not bound to endpoint '{id}'");
            }

            await services.RefreshAsync();
            return AdminJson.Ok(null);
        });
    }

    private static JsonObject Parse(string config) => JsonNode.Parse(config) as JsonObject ?? [];

    /// <summary>A connector that cannot be built (an unreadable CA file, a bad key…) is a 400 naming the field.</summary>
    private static void CheckBuildable(ServiceRecord record, ServiceManager services, JsonInput input)
    {
        if (ServiceManager.CheckBuildable(record, services.Environment) is not { } problem)
        {
            return;
        }

        // Connector messages start with the field they are about: "config.ca_cert_path: …".
        var colon = problem.IndexOf(": ", StringComparison.Ordinal);
        if (problem.StartsWith("config.", StringComparison.Ordinal) && colon > 0)
        {
            input.Error(problem[..colon], problem[(colon + 2)..]);
        }
        else
        {
            input.Error("config", problem);
        }
    }

    private static object View(ServiceRecord s, ServiceManager services)
    {
        var status = services.Status(s.Id);
        return new
        {
            s.Id,
            s.Name,
            s.ServiceType,
            Config = ServiceSchemas.Redact(s.ServiceType, Parse(s.Config)),
            s.Enabled,
            Active = status is not null,
            Status = status,
            s.CreatedAt,
            s.UpdatedAt,
        };
    }

    private static object ProbeView(ProbeResult p) => p.Connected
        ? new { connected = true, latency_ms = p.LatencyMs, message = p.Message }
        : new { connected = false, latency_ms = p.LatencyMs, error = p.Error } as object;

    private static object ActivationView(ActivationResult r) => new
    {
        r.Id,
        r.Name,
        r.ServiceType,
        r.Active,
        Connected = r.Probe?.Connected,
        LatencyMs = r.Probe?.LatencyMs,
        r.Message,
    };

    private static object BindingView(ServiceBinding b, ServiceRecord? s) =>
        new { b.EndpointId, b.ServiceId, b.PoolId, ServiceName = s?.Name, ServiceType = s?.ServiceType };
}
