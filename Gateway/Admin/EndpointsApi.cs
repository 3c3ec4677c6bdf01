using System.Globalization;
using System.Text.Json.Nodes;
using Edge.Gateway.Config;
using Edge.Gateway.Handlers;
using Edge.Gateway.OpenApi.Validation;
using Edge.Gateway.Routing;

namespace Edge.Gateway.Admin;

/// <summary><c>/api/endpoints</c>: routes with handler code, and their compile / start / deploy / stop (logs: <see cref="LogsApi"/>).</summary>
internal static class EndpointsApi
{
    public const int MaxCodeLength = 1024 * 1024;
    public const int MaxTimeoutMs = 3_600_000;
    public const long MaxBodyLimit = 1L << 30;
    public const int MaxFileRoots = 32;
    public const int MaxClientNames = 256;
    public const int MaxFileRootLength = 4096;

    private static readonly string[] Fields =
    [
        "name", "path", "method", "domain", "collection_id", "description", "code", "dependencies", "enabled",
        "timeout_ms", "drain_timeout_ms", "max_body_bytes", "openapi", "validate_requests",
        "file_roots", "auth", "allowed_client_names", "stream_body",
        "rate_limit", "max_concurrency", "queue_limit", "queue_timeout_ms", "cors",
    ];

    private static readonly string[] ReadOnly =
        ["id", "status", "revision", "compiled_revision", "running_revision", "last_error", "created_at", "updated_at"];

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/endpoints", (HttpRequest request, ConfigStore store, EndpointManager manager) =>
        {
            var query = request.Query;
            bool? enabled = null;
            if (query.TryGetValue("enabled", out var raw))
            {
                if (!bool.TryParse(raw, out var parsed))
                {
                    return AdminJson.Fail(StatusCodes.Status400BadRequest, $"invalid request: enabled: must be true or false, got '{raw}'");
                }

                enabled = parsed;
            }

            var summary = false;
            if (query.TryGetValue("fields", out var fields))
            {
                if (fields.ToString() is not ("full" or "summary"))
                {
                    return AdminJson.Fail(StatusCodes.Status400BadRequest, $"invalid request: fields: must be 'full' or 'summary', got '{fields}'");
                }

                summary = fields == "summary";
            }

            var filter = new EndpointFilter(
                query.TryGetValue("domain", out var domain) ? domain.ToString() : null,
                query.TryGetValue("collection_id", out var collection) ? collection.ToString() : null,
                enabled);
            var endpoints = store.ListEndpoints(filter);
            return summary
                ? AdminJson.Ok(endpoints.Select(e => EndpointSummaryView.From(e, manager.Registry.DrainingOf(e.Id))))
                : AdminJson.Ok(endpoints.Select(e => EndpointView.From(e, manager.Registry.DrainingOf(e.Id))));
        });

        api.MapGet("/endpoints/{id}", (string id, ConfigStore store, EndpointManager manager) =>
            store.GetEndpoint(id) is { } e ? AdminJson.Ok(EndpointView.From(e, manager.Registry.DrainingOf(id))) : AdminJson.NotFound("endpoint", id));

        api.MapPost("/endpoints", async (HttpRequest request, ConfigStore store, EndpointManager manager) =>
        {
            var (input, error) = await JsonInput.ReadAsync(request);
            if (input is null)
            {
                return error!;
            }

            var now = store.Now();
            var patch = ReadPatch(input, store, creating: true);
            var draft = new EndpointRecord { Id = Validation.NewId(), Name = "", Path = "", Method = "", Domain = "", CreatedAt = now, UpdatedAt = now };
            if (!input.HasErrors)
            {
                CheckOpenApi(patch(draft), input);
                Policies.PolicyPatch.CheckMerged(patch(draft), input.Error);
            }

            if (input.Problems() is { } problems)
            {
                return problems;
            }

            var created = store.InsertEndpoint(patch(draft), RouteKeyOf(patch(draft).Path), AdminCaller.Of(request.HttpContext).Name);
            await manager.EndpointChangedAsync(created);
            return AdminJson.Ok(EndpointView.From(created), StatusCodes.Status201Created);
        });

        api.MapPut("/endpoints/{id}", async (string id, HttpRequest request, ConfigStore store, EndpointManager manager) =>
        {
            if (store.GetEndpoint(id) is not { } existing)
            {
                return AdminJson.NotFound("endpoint", id);
            }

            var (input, error) = await JsonInput.ReadAsync(request);
            if (input is null)
            {
                return error!;
            }

            var patch = ReadPatch(input, store, creating: false);
            if (!input.HasErrors && (input.Has("openapi") || input.Has("validate_requests")))
            {
                CheckOpenApi(patch(existing), input);
            }

            if (!input.HasErrors && Policies.PolicyPatch.Fields.Any(input.Has))
            {
                Policies.PolicyPatch.CheckMerged(patch(existing), input.Error);
            }

            if (input.Problems() is { } problems)
            {
                return problems;
            }

            // Read, patch and write in one transaction: concurrent edits of different fields all survive.
            var updated = store.UpdateEndpoint(id, patch, e => RouteKeyOf(e.Path), AdminCaller.Of(request.HttpContext).Name);
            if (updated is null)
            {
                return AdminJson.NotFound("endpoint", id);
            }

            await manager.EndpointChangedAsync(updated);
            return AdminJson.Ok(EndpointView.From(updated, manager.Registry.DrainingOf(id)));
        });

        api.MapDelete("/endpoints/{id}", (string id, ConfigStore store, EndpointManager manager) =>
        {
            if (!store.DeleteEndpoint(id))
            {
                return AdminJson.NotFound("endpoint", id);
            }

            manager.EndpointsRemoved([id]);
            return AdminJson.Ok(null);
        });

        api.MapGet("/endpoints/{id}/revisions", (string id, ConfigStore store) =>
            store.GetEndpoint(id) is null
                ? AdminJson.NotFound("endpoint", id)
                : AdminJson.Ok(store.ListRevisions(id).Select(r => new { r.Revision, r.CreatedAt, Compiled = r.CompileHash is not null, r.Code })));

        api.MapPost("/endpoints/{id}/compile", (string id, ConfigStore store, EndpointManager manager) =>
            LifecycleAsync(id, store, async () => CompileData(await manager.CompileAsync(id))));

        api.MapPost("/endpoints/{id}/start", (string id, ConfigStore store, EndpointManager manager) =>
            LifecycleAsync(id, store, async () =>
            {
                var outcome = await manager.StartAsync(id);
                return new { Status = EndpointStatus.Running, outcome.Revision, outcome.ReplacedRevision };
            }));

        api.MapPost("/endpoints/{id}/deploy", (string id, ConfigStore store, EndpointManager manager) =>
            LifecycleAsync(id, store, async () =>
            {
                var (compile, start) = await manager.DeployAsync(id);
                return new
                {
                    Status = EndpointStatus.Running,
                    start.Revision,
                    start.ReplacedRevision,
                    DurationMs = Math.Round(compile.DurationMs, 2),
                    compile.Cached,
                    Warnings = compile.Warnings.Select(DiagnosticView),
                };
            }));

        api.MapPost("/endpoints/{id}/stop", async (string id, EndpointManager manager) =>
            await manager.StopAsync(id) ? AdminJson.Ok(new { Status = EndpointStatus.Stopped }) : AdminJson.NotFound("endpoint", id));
    }

    private static object CompileData(CompileOutcome outcome) => new
    {
        Status = EndpointStatus.Compiled,
        Message = outcome.Cached ? "compiled (identical source found in the compile cache)" : "compiled",
        DurationMs = Math.Round(outcome.DurationMs, 2),
        outcome.Revision,
        outcome.Cached,
        Warnings = outcome.Warnings.Select(DiagnosticView),
    };

    /// <summary>Runs a compile/start/deploy: 404 for an unknown endpoint, expected failures as their status.</summary>
    private static async Task<IResult> LifecycleAsync(string id, ConfigStore store, Func<Task<object>> action)
    {
        if (store.GetEndpoint(id) is null)
        {
            return AdminJson.NotFound("endpoint", id);
        }

        try
        {
            return AdminJson.Ok(await action());
        }
        catch (Exception ex) when (LifecycleFailure(ex) is { } failure)
        {
            return failure;
        }
    }

    /// <summary>The answer for an expected lifecycle failure; null lets anything else reach the 500 handler.</summary>
    private static IResult? LifecycleFailure(Exception ex) => ex switch
    {
        CompileFailedException compile => AdminJson.Fail(StatusCodes.Status422UnprocessableEntity, compile.Message,
            new { Diagnostics = compile.Diagnostics.Select(DiagnosticView) }),
        HandlerLoadException load => AdminJson.Fail(StatusCodes.Status422UnprocessableEntity, load.Message),
        EndpointStateException state => AdminJson.Fail(StatusCodes.Status409Conflict, state.Message),
        _ => null,
    };

    /// <summary>
    /// An endpoint's OpenAPI operation must be one edge can check requests against: the same builder the gateway
    /// uses runs here, so a bad schema is a 400 now rather than an endpoint that cannot validate later.
    /// </summary>
    private static void CheckOpenApi(EndpointRecord merged, JsonInput input)
    {
        if (merged.OpenApi is null)
        {
            if (merged.ValidateRequests)
            {
                input.Error("validate_requests", "needs an openapi operation to validate against (import a spec, or set openapi)");
            }

            return;
        }

        var contract = JsonNode.Parse(merged.OpenApi) as JsonObject;
        if (contract?["operation"] is not JsonObject)
        {
            input.Error("openapi", "must be an object with an 'operation' (an OpenAPI 3.1 operation object) and optionally 'components'");
            return;
        }

        try
        {
            RequestValidator.Build(contract);
        }
        catch (ContractException ex)
        {
            input.Error("openapi", ex.Message);
        }
    }

    private static object DiagnosticView(CompileDiagnostic d) => new { d.Line, d.Column, d.Severity, d.Id, d.Message };

    private static string RouteKeyOf(string path) => RoutePattern.TryParse(path, out var pattern, out _) ? pattern!.Key : path;

    /// <summary>
    /// Reads and checks every field of the body (on create the route fields are required) and returns the
    /// change to apply to a stored endpoint: given fields replace, absent ones stay.
    /// </summary>
    private static Func<EndpointRecord, EndpointRecord> ReadPatch(JsonInput input, ConfigStore store, bool creating)
    {
        input.RejectUnknown(Fields, ReadOnly);
        var name = input.String("name", required: creating, maxLength: 200, allowNull: false);
        var path = input.String("path", required: creating, maxLength: RoutePattern.MaxLength, allowNull: false);
        var method = input.String("method", required: creating, maxLength: 16, allowNull: false)?.ToUpperInvariant();
        var domain = input.String("domain", required: creating, maxLength: 253, allowNull: false)?.ToLowerInvariant();
        var collectionId = input.String("collection_id", maxLength: 64);
        var description = input.String("description", maxLength: 4000, allowEmpty: true);
        var code = input.String("code", maxLength: MaxCodeLength, allowNull: false, allowEmpty: true);
        var dependencies = input.ObjectText("dependencies");
        var enabled = input.Bool("enabled");
        var timeout = (int?)input.Integer("timeout_ms", 1, MaxTimeoutMs);
        var drain = (int?)input.Integer("drain_timeout_ms", 0, MaxTimeoutMs);
        var maxBody = input.Integer("max_body_bytes", 0, MaxBodyLimit);
        var openapi = input.ObjectText("openapi");
        var validateRequests = input.Bool("validate_requests");
        var fileRoots = ReadFileRoots(input);
        var auth = input.String("auth", maxLength: 16, allowNull: false);
        if (auth is not null && !EndpointAuth.All.Contains(auth))
        {
            input.Error("auth", $"must be one of {string.Join(", ", EndpointAuth.All)}, got '{auth}'");
        }

        var clientNames = input.Strings("allowed_client_names", MaxClientNames, 253);
        var streamBody = input.Bool("stream_body");
        var policies = Policies.PolicyPatch.Read(input.Has, input.Raw, input.Error);

        RoutePattern? pattern = null;
        if (path is not null && !RoutePattern.TryParse(path, out pattern, out var problem))
        {
            input.Error("path", problem!);
        }

        if (method is not null && !Validation.Methods.Contains(method))
        {
            input.Error("method", $"must be one of {string.Join(", ", Validation.Methods)}, got '{method}'");
        }

        if (domain is not null && domain != RouteTable.AnyHost && !Validation.IsHost(domain))
        {
            input.Error("domain", $"must be a host name, an IP address or '*', got '{domain}'");
        }

        if (collectionId is not null && store.GetCollection(collectionId) is null)
        {
            input.Error("collection_id", $"no collection with id '{collectionId}'");
        }

        var hasCollection = input.Has("collection_id");
        var hasDescription = input.Has("description");
        var hasDependencies = input.Has("dependencies");
        var hasOpenApi = input.Has("openapi");
        var hasFileRoots = input.Has("file_roots");
        var hasClientNames = input.Has("allowed_client_names");
        return current => policies.Apply(current) with
        {
            Auth = auth ?? current.Auth,
            AllowedClientNames = hasClientNames
                ? clientNames is { Count: > 0 } ? System.Text.Json.JsonSerializer.Serialize(clientNames) : null
                : current.AllowedClientNames,
            Name = name ?? current.Name,
            Path = pattern?.Text ?? current.Path,
            Method = method ?? current.Method,
            Domain = domain ?? current.Domain,
            CollectionId = hasCollection ? collectionId : current.CollectionId,
            Description = hasDescription ? description : current.Description,
            Code = code ?? current.Code,
            Dependencies = hasDependencies ? dependencies : current.Dependencies,
            Enabled = enabled ?? current.Enabled,
            TimeoutMs = timeout ?? current.TimeoutMs,
            DrainTimeoutMs = drain ?? current.DrainTimeoutMs,
            MaxBodyBytes = maxBody ?? current.MaxBodyBytes,
            OpenApi = hasOpenApi ? openapi : current.OpenApi,
            ValidateRequests = validateRequests ?? (hasOpenApi && openapi is null ? false : current.ValidateRequests),
            FileRoots = hasFileRoots ? fileRoots : current.FileRoots,
            StreamBody = streamBody ?? current.StreamBody,
        };
    }

    /// <summary>
    /// <c>file_roots</c>: null or an array of at most <see cref="MaxFileRoots"/> absolute folder paths (no NUL), stored
    /// as JSON text (null when absent, null or empty).
    /// </summary>
    private static string? ReadFileRoots(JsonInput input)
    {
        if (!input.Has("file_roots"))
        {
            return null;
        }

        var (roots, problem) = FileRootsOf(input.Raw("file_roots"));
        if (problem is not null)
        {
            input.Error("file_roots", problem);
        }

        return roots;
    }

    /// <summary>
    /// Checks a <c>file_roots</c> value (the admin API's field, or <c>x-edge.file_roots</c> in an imported spec):
    /// the roots as JSON text (null for none), or the problem.
    /// </summary>
    public static (string? Roots, string? Problem) FileRootsOf(JsonNode? node)
    {
        if (node is null)
        {
            return (null, null);
        }

        if (node is not JsonArray array)
        {
            return (null, "must be an array of absolute folder paths");
        }

        if (array.Count > MaxFileRoots)
        {
            return (null, $"must hold at most {MaxFileRoots} folders, got {array.Count}");
        }

        var roots = new JsonArray();
        foreach (var item in array)
        {
            if (item is not JsonValue value || !value.TryGetValue<string>(out var root))
            {
                return (null, "must be an array of absolute folder paths (strings)");
            }

            if (root.Length == 0 || root.Length > MaxFileRootLength || root.Contains('\0') || !Path.IsPathFullyQualified(root))
            {
                return (null, $"each folder must be an absolute path of at most {MaxFileRootLength} characters without NUL, got '{root.Replace("\0", "\\0", StringComparison.Ordinal)}'");
            }

            roots.Add(root);
        }

        return (roots.Count == 0 ? null : roots.ToJsonString(), null);
    }
}
