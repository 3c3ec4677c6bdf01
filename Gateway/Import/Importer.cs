using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Gateway.Admin;
using Edge.Gateway.Config;
using Edge.Gateway.Handlers;
using Edge.Gateway.OpenApi;
using Edge.Gateway.OpenApi.Validation;
using Edge.Gateway.Routing;

namespace Edge.Gateway.Import;

/// <summary>
/// Imports a spec (and a bundle's handler files) as endpoints. Everything is planned and checked first — routes,
/// request validators, handler code compiled in parallel — and then written in one store transaction, so an import
/// that fails changes nothing. The same (domain, method, path) updates the endpoint instead of adding one.
/// </summary>
internal sealed partial class Importer(ConfigStore store, EndpointManager manager, HandlerCompiler compiler, ILogger<Importer> logger)
{
    public async Task<(int Status, string? Error, ImportReport Report)> ImportAsync(ImportSource source, ImportOptions options, CancellationToken cancel)
    {
        var started = Stopwatch.GetTimestamp();
        var spec = source.Spec;
        var errors = new List<ImportError>(source.Errors);
        var warnings = new List<string>(spec.Warnings);
        errors.AddRange(spec.Problems.Select(p => new ImportError(p.Operation, null, p.Pointer, p.Message)));

        var target = ResolveTarget(options, source);
        if (target.Error is { } targetError)
        {
            return (targetError.Status, targetError.Message, new ImportReport { Errors = [.. errors.Select(View)], Warnings = warnings });
        }

        var basePath = spec.BasePath.Length > 0 ? spec.BasePath : target.Collection?.BasePath?.TrimEnd('/') ?? "";
        var items = PlanItems(source, basePath, errors, warnings);
        var dependencies = source.Manifest?.Dependencies?.ToJsonString();

        var existing = store.ListEndpoints(new EndpointFilter(Domain: target.Host))
            .ToDictionary(e => (e.Method, RouteKey(e.Path)), e => e);
        var inserts = new List<EndpointRecord>();
        var updates = new List<(string Id, Func<EndpointRecord, EndpointRecord> Change)>();
        var planned = new List<(Item Item, EndpointRecord Final, bool Created)>();
        var validators = new Dictionary<Item, RequestValidator>();
        var unchanged = new HashSet<string>(StringComparer.Ordinal);
        var now = store.Now();
        foreach (var item in items)
        {
            if (item.Failed)
            {
                continue;
            }

            var settings = ReadSettings(item, errors);
            if (settings is null)
            {
                continue;
            }

            var validate = settings.Validate ?? options.Validate;
            string? contractText = null;
            if (item.Contract is { } contract)
            {
                contractText = contract.ToJsonString();
                if (validate)
                {
                    try
                    {
                        validators[item] = RequestValidator.Build(contract);
                    }
                    catch (ContractException ex)
                    {
                        errors.Add(new ImportError(item.Label, item.File, item.Pointer, $"request validation cannot be built: {ex.Message}"));
                        continue;
                    }
                }
            }

            var validating = validate && contractText is not null;
            if (existing.TryGetValue((item.Method, RouteKey(item.Path)), out var current))
            {
                var code = item.Code ?? FollowSpec(current, item.Contract);
                EndpointRecord Change(EndpointRecord e) => (settings.Policies?.Apply(e) ?? e) with
                {
                    Name = item.Name,
                    Path = item.Path,
                    Description = item.Description ?? e.Description,
                    CollectionId = target.Collection?.Id ?? e.CollectionId,
                    Code = code ?? e.Code,
                    Dependencies = dependencies ?? e.Dependencies,
                    OpenApi = contractText ?? e.OpenApi,
                    ValidateRequests = contractText is null ? e.ValidateRequests : validating,
                    Enabled = settings.Enabled ?? e.Enabled,
                    TimeoutMs = settings.TimeoutMs ?? e.TimeoutMs,
                    DrainTimeoutMs = settings.DrainTimeoutMs ?? e.DrainTimeoutMs,
                    MaxBodyBytes = settings.MaxBodyBytes ?? e.MaxBodyBytes,
                    FileRoots = settings.FileRoots is null ? e.FileRoots : settings.FileRoots.Length == 0 ? null : settings.FileRoots,
                    StreamBody = settings.StreamBody ?? e.StreamBody,
                    Auth = settings.Auth ?? e.Auth,
                    AllowedClientNames = settings.AllowedClientNames is null ? e.AllowedClientNames : settings.AllowedClientNames.Length == 0 ? null : settings.AllowedClientNames,
                };
                updates.Add((current.Id, Change));
                var changed = Change(current);
                if (changed == current)
                {
                    unchanged.Add(current.Id);
                }

                planned.Add((item, changed, false));
                existing.Remove((item.Method, RouteKey(item.Path)));
            }
            else
            {
                var record = new EndpointRecord
                {
                    Id = Validation.NewId(),
                    Name = item.Name,
                    Path = item.Path,
                    Method = item.Method,
                    Domain = target.Host,
                    CollectionId = target.Collection?.Id,
                    Description = item.Description,
                    Code = item.Code ?? MockHandlerGenerator.Generate(item.Contract!),
                    Dependencies = dependencies,
                    OpenApi = contractText,
                    ValidateRequests = validating,
                    Enabled = settings.Enabled ?? true,
                    TimeoutMs = settings.TimeoutMs ?? EndpointRecord.DefaultTimeoutMs,
                    DrainTimeoutMs = settings.DrainTimeoutMs ?? EndpointRecord.DefaultDrainTimeoutMs,
                    MaxBodyBytes = settings.MaxBodyBytes ?? EndpointRecord.DefaultMaxBodyBytes,
                    FileRoots = string.IsNullOrEmpty(settings.FileRoots) ? null : settings.FileRoots,
                    StreamBody = settings.StreamBody ?? false,
                    Auth = settings.Auth ?? EndpointAuth.None,
                    AllowedClientNames = string.IsNullOrEmpty(settings.AllowedClientNames) ? null : settings.AllowedClientNames,
                    CreatedAt = now,
                    UpdatedAt = now,
                };
                record = settings.Policies?.Apply(record) ?? record;
                inserts.Add(record);
                planned.Add((item, record, true));
            }
        }

        var compile = options.Compile || options.Start;
        if (compile && planned.Count > 0)
        {
            // PERF: compiled in parallel before anything is written; the compile cache keeps every image, so the
            // per-endpoint compile after the write is a cache hit.
            var failures = await CompileAllAsync(planned.Select(p => p.Final.Code), cancel);
            foreach (var (item, final, _) in planned)
            {
                if (failures.TryGetValue(final.Code, out var failure))
                {
                    item.Failed = true;
                    errors.Add(new ImportError(item.Label, item.File ?? "(generated)", null,
                        $"compile failed: {failure.Diagnostics.FirstOrDefault(d => d.Severity == "error")?.ToString() ?? failure.Message}",
                        failure.Diagnostics));
                }
            }

            if (planned.Any(p => p.Item.Failed))
            {
                var failed = planned.Where(p => p.Item.Failed).Select(p => p.Final.Id).ToHashSet(StringComparer.Ordinal);
                inserts.RemoveAll(e => failed.Contains(e.Id));
                updates.RemoveAll(u => failed.Contains(u.Id));
                planned.RemoveAll(p => p.Item.Failed);
            }
        }

        var report = new ImportReport
        {
            Collection = target.Collection is { } c ? new ImportedCollection(c.Id, c.Name, c.BasePath, target.NewCollection is not null) : null,
            EndpointsCreated = inserts.Count,
            EndpointsUpdated = updates.Count,
            HandlersMatched = items.Count(i => i.File is not null && !i.Failed),
            DryRun = options.DryRun,
            Endpoints = [.. planned.Select(p => View(p.Final, p.Item, p.Created ? "created" : "updated"))],
            Errors = [.. errors.Select(View)],
            Warnings = warnings,
            Items = PreviewOf(target, planned.Select(p => (p.Final, p.Created ? "create" : unchanged.Contains(p.Final.Id) ? "unchanged" : "update"))),
        };

        if (errors.Count > 0 && !options.Partial)
        {
            var status = errors.All(e => e.Diagnostics is not null) ? StatusCodes.Status422UnprocessableEntity : StatusCodes.Status400BadRequest;
            var message = $"nothing was imported: {errors.Count} problem(s), the first: {Describe(errors[0])}; fix them, or pass partial=true to import the rest";
            return (status, message, report with { Endpoints = [], EndpointsCreated = 0, EndpointsUpdated = 0, Compiled = 0, Started = 0, DurationMs = Elapsed(started) });
        }

        if (options.DryRun)
        {
            return (StatusCodes.Status200OK, null, report with { DurationMs = Elapsed(started) });
        }

        IReadOnlyList<EndpointRecord> written;
        try
        {
            written = store.ApplyImport(target.NewCollection, target.UpdatedCollection, inserts, updates, e => RouteKey(e.Path), options.CreatedBy);
        }
        catch (StoreConflictException ex)
        {
            return (StatusCodes.Status409Conflict, $"nothing was imported: {ex.Message}", report with { Endpoints = [], DurationMs = Elapsed(started) });
        }

        var byId = written.ToDictionary(e => e.Id, StringComparer.Ordinal);
        manager.EndpointsImported(written, planned
            .Where(p => validators.ContainsKey(p.Item) && byId.ContainsKey(p.Final.Id))
            .ToDictionary(p => p.Final.Id, p => (byId[p.Final.Id].OpenApi!, validators[p.Item]), StringComparer.Ordinal));

        int compiledCount = 0, startedCount = 0;
        if (compile)
        {
            var outcomes = await manager.CompileManyAsync([.. planned.Select(p => p.Final.Id)], options.Start);
            foreach (var (item, final, _) in planned)
            {
                if (!outcomes.TryGetValue(final.Id, out var outcome))
                {
                    continue;
                }

                compiledCount += outcome.Compiled ? 1 : 0;
                startedCount += outcome.Started ? 1 : 0;
                if (outcome.Error is { } ex)
                {
                    errors.Add(new ImportError(item.Label, item.File, null, ex.Message, (ex as CompileFailedException)?.Diagnostics));
                }
            }
        }

        Log.Imported(logger, inserts.Count, updates.Count, target.Host, compiledCount, startedCount, errors.Count, Elapsed(started));
        return (StatusCodes.Status200OK, null, report with
        {
            Compiled = compiledCount,
            Started = startedCount,
            Endpoints = [.. planned.Select(p => View(store.GetEndpoint(p.Final.Id) ?? p.Final, p.Item, p.Created ? "created" : "updated"))],
            Errors = [.. errors.Select(View)],
            DurationMs = Elapsed(started),
        });
    }

    // ---- planning ----

    private Target ResolveTarget(ImportOptions options, ImportSource source)
    {
        DomainRecord? domain = null;
        CollectionRecord? collection = null;
        if (options.CollectionId is { } collectionId)
        {
            collection = store.GetCollection(collectionId);
            if (collection is null)
            {
                return Target.Fail(StatusCodes.Status404NotFound, $"collection '{collectionId}' not found");
            }

            domain = store.GetDomain(collection.DomainId);
        }

        var host = options.Domain?.Trim().ToLowerInvariant();
        if (host is not null && host != RouteTable.AnyHost && !Validation.IsHost(host))
        {
            return Target.Fail(StatusCodes.Status400BadRequest, $"invalid request: domain: must be a host name, an IP address or '*', got '{options.Domain}'");
        }

        CollectionRecord? created = null, updated = null;
        if (options.CreateCollection && collection is null)
        {
            if (options.DomainId is { } domainId)
            {
                domain = store.GetDomain(domainId);
                if (domain is null)
                {
                    return Target.Fail(StatusCodes.Status404NotFound, $"domain '{domainId}' not found");
                }
            }
            else
            {
                domain = host is null ? null : store.ListDomains().FirstOrDefault(d => string.Equals(d.Host, host, StringComparison.OrdinalIgnoreCase));
                if (domain is null)
                {
                    return Target.Fail(StatusCodes.Status400BadRequest,
                        "invalid request: create_collection needs domain_id (or a domain whose host is the 'domain' given): create the domain first");
                }
            }

            var name = source.Manifest?.Name ?? source.Spec.Title ?? "Imported API";
            var basePath = source.Spec.BasePath.Length > 0 ? source.Spec.BasePath : null;
            var now = store.Now();
            var same = store.ListCollections(domain.Id).FirstOrDefault(c => c.Name == name);
            if (same is not null)
            {
                // Importing the same API again updates its collection rather than adding a twin.
                collection = updated = same with { Description = source.Spec.Description ?? same.Description, BasePath = basePath ?? same.BasePath };
            }
            else
            {
                collection = created = new CollectionRecord
                {
                    Id = Validation.NewId(),
                    DomainId = domain.Id,
                    Name = name.Length > 200 ? name[..200] : name,
                    Description = source.Spec.Description,
                    BasePath = basePath,
                    CreatedAt = now,
                    UpdatedAt = now,
                };
            }
        }

        host ??= domain?.Host.ToLowerInvariant();
        if (host is null)
        {
            return Target.Fail(StatusCodes.Status400BadRequest, "invalid request: domain: is required (a host name, or '*' for any host)");
        }

        return new Target(host, collection, created, updated, null);
    }

    private static List<Item> PlanItems(ImportSource source, string basePath, List<ImportError> errors, List<string> warnings)
    {
        // Handler files by normalised name: getPetById.cs, get_pet_by_id.cs and get-pet-by-id.cs are the same handler.
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in source.HandlerFiles.Keys.Order(StringComparer.Ordinal))
        {
            var key = HandlerNames.NormaliseHandlerName(Path.GetFileNameWithoutExtension(file));
            if (files.TryGetValue(key, out var other))
            {
                errors.Add(new ImportError(null, file, null, $"handler file '{file}' has the same normalised name as '{other}': keep one"));
                continue;
            }

            files[key] = file;
        }

        var items = new List<Item>();
        foreach (var op in source.Spec.Operations)
        {
            items.Add(new Item(op.Method, Join(basePath, op.Path), op.Path, op.Name, op.Description, op.Contract, op.Edge, op.Label, op.Pointer)
            {
                OperationId = op.OperationId,
            });
        }

        foreach (var route in source.Manifest?.Routes ?? [])
        {
            var key = RouteKey(route.Path);
            var item = items.FirstOrDefault(i => i.Method == route.Method && (RouteKey(i.SpecPath) == key || RouteKey(i.Path) == key));
            if (item is null)
            {
                // A route the spec lacks: it is added with the handler the manifest names.
                item = new Item(route.Method, Join(basePath, route.Path), route.Path, route.Name ?? route.Handler, route.Description, null, null,
                    $"{route.Method} {route.Path}", "bundle.yaml" + route.Pointer);
                items.Add(item);
            }
            else
            {
                item.Name = route.Name ?? item.Name;
                item.Description = route.Description ?? item.Description;
            }

            item.Handler = route.Handler;
        }

        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (!RoutePattern.TryParse(item.Path, out _, out var problem))
            {
                item.Failed = true;
                errors.Add(new ImportError(item.Label, null, item.Pointer, $"path '{item.Path}' cannot be served: {problem}"));
                continue;
            }

            string? file = null;
            if (item.Handler is { } handler)
            {
                if (!files.TryGetValue(HandlerNames.NormaliseHandlerName(Path.GetFileNameWithoutExtension(handler)), out file))
                {
                    item.Failed = true;
                    errors.Add(new ImportError(item.Label, handler, item.Pointer, $"the manifest names handler '{handler}' but the bundle has no such .cs file"));
                    continue;
                }
            }
            else if (item.OperationId is { } operationId)
            {
                files.TryGetValue(HandlerNames.NormaliseHandlerName(operationId), out file);
            }

            if (file is not null)
            {
                item.File = file;
                item.Code = source.HandlerFiles[file];
                used.Add(file);
            }
            else if (item.Contract is null)
            {
                item.Failed = true;
                errors.Add(new ImportError(item.Label, null, item.Pointer, "the route has neither an operation in the spec nor a handler file"));
            }
        }

        foreach (var file in files.Values.Where(f => !used.Contains(f)))
        {
            warnings.Add($"handler file '{file}' matches no operationId and no manifest route: it was not imported");
        }

        return items;
    }

    /// <summary>Generated code the user never edited follows the spec: it is generated again from the new operation.</summary>
    private static string? FollowSpec(EndpointRecord current, JsonObject? contract)
    {
        if (contract is null || current.OpenApi is null)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(current.OpenApi) is JsonObject previous && MockHandlerGenerator.Generate(previous) == current.Code
                ? MockHandlerGenerator.Generate(contract)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>edge's own settings an exported spec carries in <c>x-edge</c>; null (and an error) when one is out of range.</summary>
    private static EdgeSettings? ReadSettings(Item item, List<ImportError> errors)
    {
        if (item.Edge is not { } edge)
        {
            return new EdgeSettings();
        }

        var before = errors.Count;
        long? Number(string key, long min, long max)
        {
            if (edge[key] is not { } node)
            {
                return null;
            }

            if (node is JsonValue v && v.TryGetValue<long>(out var n) && n >= min && n <= max)
            {
                return n;
            }

            errors.Add(new ImportError(item.Label, item.File, item.Pointer + "/x-edge/" + key, $"must be an integer between {min} and {max}"));
            return null;
        }

        bool? Flag(string key)
        {
            if (edge[key] is not { } node)
            {
                return null;
            }

            if (node.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
            {
                return node.GetValue<bool>();
            }

            errors.Add(new ImportError(item.Label, item.File, item.Pointer + "/x-edge/" + key, "must be true or false"));
            return null;
        }

        var (fileRoots, rootsProblem) = EndpointsApi.FileRootsOf(edge["file_roots"]);
        if (rootsProblem is not null)
        {
            errors.Add(new ImportError(item.Label, item.File, item.Pointer + "/x-edge/file_roots", rootsProblem));
        }

        string? auth = null;
        if (edge["auth"] is { } authNode)
        {
            if (authNode is JsonValue authValue && authValue.TryGetValue<string>(out var text) && EndpointAuth.All.Contains(text))
            {
                auth = text;
            }
            else
            {
                errors.Add(new ImportError(item.Label, item.File, item.Pointer + "/x-edge/auth", $"must be one of {string.Join(", ", EndpointAuth.All)}"));
            }
        }

        var (clientNames, namesProblem) = ClientNamesOf(edge["allowed_client_names"]);
        if (namesProblem is not null)
        {
            errors.Add(new ImportError(item.Label, item.File, item.Pointer + "/x-edge/allowed_client_names", namesProblem));
        }

        var policies = Policies.PolicyPatch.Read(edge.ContainsKey, key => edge[key], (key, problem) =>
            errors.Add(new ImportError(item.Label, item.File, item.Pointer + "/x-edge/" + key, problem)));
        var settings = new EdgeSettings(
            (int?)Number("timeout_ms", 1, EndpointsApi.MaxTimeoutMs),
            (int?)Number("drain_timeout_ms", 0, EndpointsApi.MaxTimeoutMs),
            Number("max_body_bytes", 0, EndpointsApi.MaxBodyLimit),
            Flag("validate_requests"),
            Flag("enabled"),
            edge.ContainsKey("file_roots") ? fileRoots ?? "" : null,
            Flag("stream_body"),
            policies.Touched ? policies : null,
            auth,
            edge.ContainsKey("allowed_client_names") ? clientNames ?? "" : null);
        return errors.Count > before ? null : settings;
    }

    /// <summary>x-edge <c>allowed_client_names</c>: an array of names as JSON text (null when empty), or a problem.</summary>
    private static (string? Names, string? Problem) ClientNamesOf(JsonNode? node)
    {
        if (node is null)
        {
            return (null, null);
        }

        if (node is not JsonArray array || array.Count > EndpointsApi.MaxClientNames)
        {
            return (null, $"must be an array of at most {EndpointsApi.MaxClientNames} names");
        }

        var names = new List<string>(array.Count);
        foreach (var element in array)
        {
            if (element is not JsonValue value || !value.TryGetValue<string>(out var name) || name.Length is 0 or > 253)
            {
                return (null, "every name must be a string of 1 to 253 characters");
            }

            names.Add(name);
        }

        return (names.Count == 0 ? null : System.Text.Json.JsonSerializer.Serialize(names), null);
    }

    private async Task<Dictionary<string, CompileFailedException>> CompileAllAsync(IEnumerable<string> codes, CancellationToken cancel)
    {
        var failures = new ConcurrentDictionary<string, CompileFailedException>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(codes.Distinct(StringComparer.Ordinal), new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancel },
            (code, _) =>
            {
                try
                {
                    compiler.Compile(code);
                }
                catch (CompileFailedException ex)
                {
                    failures[code] = ex;
                }

                return ValueTask.CompletedTask;
            });
        return new Dictionary<string, CompileFailedException>(failures, StringComparer.Ordinal);
    }

    // ---- views ----

    private static ImportedEndpoint View(EndpointRecord e, Item item, string action) =>
        new(e.Id, e.Name, e.Method, e.Path, action, e.Status, item.File, item.File is null && item.Code is null && action == "created", e.ValidateRequests);

    private static IReadOnlyList<ImportPreviewItem> PreviewOf(Target target, IEnumerable<(EndpointRecord Endpoint, string Action)> endpoints)
    {
        var items = new List<ImportPreviewItem>();
        if (target.Collection is { } c)
        {
            items.Add(new ImportPreviewItem("collection", c.Name, null, null,
                target.NewCollection is not null ? "create" : target.UpdatedCollection is not null ? "update" : "unchanged"));
        }

        items.AddRange(endpoints.Select(e => new ImportPreviewItem("endpoint", e.Endpoint.Name, e.Endpoint.Method, e.Endpoint.Path, e.Action)));
        return items;
    }

    private static object View(ImportError e) => new
    {
        e.Operation,
        e.File,
        e.Pointer,
        e.Message,
        Diagnostics = e.Diagnostics?.Select(d => new { d.Line, d.Column, d.Severity, d.Id, d.Message }),
    };

    private static string Describe(ImportError e) =>
        string.Join(": ", new[] { e.Operation, e.File, e.Pointer is { Length: > 0 } p ? "at " + p : null, e.Message }.Where(s => s is not null));

    private static string Join(string basePath, string path) => basePath.Length == 0 ? path : path == "/" ? basePath : basePath + path;

    private static string RouteKey(string path) => RoutePattern.TryParse(path, out var pattern, out _) ? pattern!.Key : path;

    private static double Elapsed(long started) => Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1);

    private sealed record Target(string Host, CollectionRecord? Collection, CollectionRecord? NewCollection, CollectionRecord? UpdatedCollection, (int Status, string Message)? Error)
    {
        public static Target Fail(int status, string message) => new("", null, null, null, (status, message));
    }

    // FileRoots, AllowedClientNames: JSON text; "" clears them; null leaves them as they are.
    // Policies: the traffic-policy fields x-edge gave (rate_limit, max_concurrency, queue_*, cors); null when none.
    private sealed record EdgeSettings(
        int? TimeoutMs = null, int? DrainTimeoutMs = null, long? MaxBodyBytes = null, bool? Validate = null, bool? Enabled = null, string? FileRoots = null,
        bool? StreamBody = null, Policies.PolicyPatch? Policies = null, string? Auth = null, string? AllowedClientNames = null);

    /// <summary>One route to import: a spec operation, a manifest route, or both.</summary>
    /// <remarks>A class, not a record: items are keys by identity while their state changes.</remarks>
    private sealed class Item(string method, string path, string specPath, string name, string? description, JsonObject? contract, JsonObject? edge, string label, string pointer)
    {
        public string Method { get; } = method;
        public string Path { get; } = path;
        public string SpecPath { get; } = specPath;
        public string Name { get; set; } = name;
        public string? Description { get; set; } = description;
        public JsonObject? Contract { get; } = contract;
        public JsonObject? Edge { get; } = edge;
        public string Label { get; } = label;
        public string Pointer { get; } = pointer;
        public string? OperationId { get; init; }
        public string? Handler { get; set; }
        public string? File { get; set; }
        public string? Code { get; set; }
        public bool Failed { get; set; }
    }

    private static partial class Log
    {
        [LoggerMessage(Hosting.EventIds.Imported, LogLevel.Information,
            "Import into {Domain}: {Created} endpoint(s) created, {Updated} updated, {Compiled} compiled, {Started} started, {Errors} problem(s) in {DurationMs:F0} ms")]
        public static partial void Imported(ILogger logger, int created, int updated, string domain, int compiled, int started, int errors, double durationMs);
    }
}
