using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Gateway.Bus;
using Edge.Gateway.Config;
using Edge.Gateway.Hosting;
using Edge.Gateway.OpenApi.Validation;
using Edge.Gateway.Routing;

namespace Edge.Gateway.Handlers;

/// <summary>
/// The endpoint lifecycle: compile, start (swap), stop, edits and deletes, and the route table rebuilt from the
/// store after every change. One lock per endpoint keeps two deploys of the same endpoint from interleaving.
/// </summary>
internal sealed partial class EndpointManager(
    ConfigStore store,
    HandlerCompiler compiler,
    CompileCache cache,
    HandlerRegistry registry,
    RouteTableHolder routes,
    EndpointDirectory directory,
    TimeProvider time,
    ILogger<EndpointManager> logger)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);
    private readonly Lock _routesLock = new();
    private readonly ConcurrentDictionary<string, (string Text, RequestValidator Validator)> _validators = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Policies.EndpointPolicies> _policies = new(StringComparer.Ordinal);

    public HandlerRegistry Registry => registry;

    public EndpointLog LogOf(string endpointId) => registry.GetOrCreate(endpointId).Log;

    /// <summary>Compiles the endpoint's latest revision; throws <see cref="CompileFailedException"/> with its diagnostics.</summary>
    public async Task<CompileOutcome> CompileAsync(string endpointId)
    {
        using var _ = await LockAsync(endpointId);
        return CompileLocked(endpointId);
    }

    /// <summary>Loads the latest successful compile and swaps it in; the old version drains.</summary>
    public async Task<StartOutcome> StartAsync(string endpointId)
    {
        using var _ = await LockAsync(endpointId);
        return StartLocked(endpointId);
    }

    /// <summary>Compile then start, under one lock, so nobody starts a half-finished deploy.</summary>
    public async Task<(CompileOutcome Compile, StartOutcome Start)> DeployAsync(string endpointId)
    {
        using var _ = await LockAsync(endpointId);
        var compiled = CompileLocked(endpointId);
        return (compiled, StartLocked(endpointId));
    }

    /// <summary>
    /// Saves the code of <paramref name="version"/> as a new revision (by <paramref name="createdBy"/>), compiles it
    /// and, if the endpoint was serving, swaps it in like a deploy (the serving version drains). The old code is
    /// compiled before anything is stored: if it no longer compiles this throws <see cref="CompileFailedException"/>
    /// and nothing changes. Null when the endpoint or the version does not exist.
    /// </summary>
    public async Task<RollbackOutcome?> RollbackAsync(string endpointId, int version, string? createdBy)
    {
        using var _ = await LockAsync(endpointId);
        if (store.GetRevision(endpointId, version) is not { } target)
        {
            return null;
        }

        compiler.Compile(target.Code);
        var serving = registry.Find(endpointId)?.Current is not null;
        var updated = store.UpdateEndpoint(endpointId, e => e with { Code = target.Code }, e => RouteKeyOf(e.Path), createdBy);
        if (updated is null)
        {
            return null;
        }

        LogOf(endpointId).Info($"revision {updated.Revision} rolls back to the code of revision {version}");
        CompileLocked(endpointId);
        if (!serving)
        {
            return new RollbackOutcome(updated.Revision, version, EndpointStatus.Compiled, null);
        }

        var started = StartLocked(endpointId);
        return new RollbackOutcome(updated.Revision, version, EndpointStatus.Running, started.ReplacedRevision);
    }

    private static string RouteKeyOf(string path) => RoutePattern.TryParse(path, out var pattern, out _) ? pattern!.Key : path;

    /// <summary>
    /// Compiles (and with <paramref name="start"/> starts) many endpoints at once, as an import does: compiles run on
    /// every core, and the outcomes are recorded in one store transaction instead of three per endpoint. Each
    /// endpoint's lock is held until its outcome is stored, so a concurrent deploy of the same endpoint waits.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, BulkOutcome>> CompileManyAsync(IReadOnlyList<string> endpointIds, bool start)
    {
        var outcomes = new ConcurrentDictionary<string, BulkOutcome>(StringComparer.Ordinal);
        var hashes = new ConcurrentBag<(string, int, string)>();
        var states = new ConcurrentBag<(string, string, int?, int?, string?)>();
        var held = new ConcurrentBag<IDisposable>();
        try
        {
            await Parallel.ForEachAsync(endpointIds, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, async (id, _) =>
            {
                held.Add(await LockAsync(id));
                var record = store.GetEndpoint(id);
                if (record is null)
                {
                    return;
                }

                CompiledHandler compiled;
                try
                {
                    compiled = compiler.Compile(record.Code);
                }
                catch (CompileFailedException ex)
                {
                    var running = registry.Find(id)?.Current is not null;
                    states.Add((id, running ? EndpointStatus.Running : EndpointStatus.Error, record.CompiledRevision, record.RunningRevision, ex.Message));
                    LogOf(id).Error($"compile of revision {record.Revision} failed:\n{ex.Message}");
                    outcomes[id] = new BulkOutcome(false, false, ex);
                    return;
                }

                hashes.Add((id, record.Revision, compiled.Hash));
                LogOf(id).Info($"compiled revision {record.Revision} in {compiled.DurationMs:F1} ms{(compiled.FromCache ? " (cached)" : "")}");
                if (!start || !record.Enabled)
                {
                    var running = registry.Find(id)?.Current is not null;
                    states.Add((id, running ? EndpointStatus.Running : EndpointStatus.Compiled, record.Revision, record.RunningRevision, null));
                    outcomes[id] = new BulkOutcome(true, false, null);
                    return;
                }

                var runtime = registry.GetOrCreate(id);
                runtime.Limits = LimitsOf(record);
                var previous = runtime.Current?.Revision;
                try
                {
                    registry.Activate(id, record.Revision, compiled);
                }
                catch (Exception ex)
                {
                    LogOf(id).Error($"revision {record.Revision} could not be loaded: {ex}");
                    states.Add((id, runtime.Current is null ? EndpointStatus.Error : EndpointStatus.Running, record.Revision, runtime.Current?.Revision, $"load failed: {ex.Message}"));
                    outcomes[id] = new BulkOutcome(true, false, new HandlerLoadException($"revision {record.Revision} could not be loaded: {ex.Message}", ex));
                    return;
                }

                states.Add((id, EndpointStatus.Running, record.Revision, record.Revision, null));
                LogOf(id).Info(previous is null ? $"started revision {record.Revision}" : $"swapped revision {previous} for {record.Revision}; the old one drains");
                outcomes[id] = new BulkOutcome(true, true, null);
            });

            store.SetEndpointStates([.. hashes], [.. states]);
        }
        finally
        {
            foreach (var releaser in held)
            {
                releaser.Dispose();
            }
        }

        return outcomes;
    }

    public async Task<bool> StopAsync(string endpointId)
    {
        using var _ = await LockAsync(endpointId);
        var record = store.GetEndpoint(endpointId);
        if (record is null)
        {
            return false;
        }

        registry.Deactivate(endpointId);
        store.SetEndpointState(endpointId, EndpointStatus.Stopped, record.CompiledRevision, null, record.LastError);
        LogOf(endpointId).Info($"stopped (revision {record.RunningRevision?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"} drains)");
        return true;
    }

    /// <summary>After an edit: new limits take effect at once; a disabled endpoint stops; routes are rebuilt.</summary>
    public async Task EndpointChangedAsync(EndpointRecord record)
    {
        using (await LockAsync(record.Id))
        {
            // The stored record, not the caller's: with concurrent edits the latest commit must win.
            record = store.GetEndpoint(record.Id) ?? record;
            registry.GetOrCreate(record.Id).Limits = LimitsOf(record);
            if (!record.Enabled && registry.Find(record.Id)?.Current is not null)
            {
                registry.Deactivate(record.Id);
                store.SetEndpointState(record.Id, EndpointStatus.Stopped, record.CompiledRevision, null, record.LastError);
            }
        }

        RebuildRoutes();
    }

    /// <summary>After an import wrote many endpoints at once: limits and validators refreshed, routes rebuilt once.</summary>
    public void EndpointsImported(IEnumerable<EndpointRecord> records, IReadOnlyDictionary<string, (string Text, RequestValidator Validator)> built)
    {
        foreach (var (id, validator) in built)
        {
            // The importer built these while checking the spec: no need to build them twice.
            _validators[id] = validator;
        }

        foreach (var record in records)
        {
            registry.GetOrCreate(record.Id).Limits = LimitsOf(record);
            if (!record.Enabled && registry.Find(record.Id)?.Current is not null)
            {
                registry.Deactivate(record.Id);
                store.SetEndpointState(record.Id, EndpointStatus.Stopped, record.CompiledRevision, null, record.LastError);
            }
        }

        RebuildRoutes();
    }

    public void EndpointsRemoved(IEnumerable<string> endpointIds)
    {
        foreach (var id in endpointIds)
        {
            registry.Remove(id);
            _validators.TryRemove(id, out _);
            _policies.TryRemove(id, out _);
            _locks.TryRemove(id, out _);
        }

        RebuildRoutes();
    }

    /// <summary>Rebuilds the route table from the store and publishes it in one exchange.</summary>
    public RouteTable RebuildRoutes()
    {
        lock (_routesLock)
        {
            var disabledHosts = store.ListDomains().Where(d => !d.Enabled).Select(d => d.Host).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var disabledCollections = store.ListCollections(null).Where(c => !c.Enabled).Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
            var definitions = new List<RouteDefinition>();
            var targets = new List<BusTarget>();
            foreach (var endpoint in store.ListEndpoints())
            {
                // Every endpoint is known to the bus by name, so a call can tell "disabled" (503) from "unknown" (404).
                var enabled = endpoint.Enabled && !disabledHosts.Contains(endpoint.Domain) &&
                    !(endpoint.CollectionId is { } cid && disabledCollections.Contains(cid));
                targets.Add(new BusTarget(endpoint.Id, endpoint.Name, endpoint.Path, enabled));
                if (!endpoint.Enabled ||
                    disabledHosts.Contains(endpoint.Domain) ||
                    (endpoint.CollectionId is { } c && disabledCollections.Contains(c)) ||
                    !RoutePattern.TryParse(endpoint.Path, out var pattern, out _))
                {
                    continue;
                }

                var runtime = registry.GetOrCreate(endpoint.Id);
                runtime.Limits = LimitsOf(endpoint);
                definitions.Add(new RouteDefinition(endpoint.Domain, endpoint.Method, pattern!, runtime));
            }

            var table = RouteTable.Build(definitions);
            routes.Publish(table);
            directory.Publish(targets);
            Log.RoutesRebuilt(logger, table.Count);
            return table;
        }
    }

    /// <summary>
    /// At start, before traffic: every endpoint that was running is loaded again from the compile cache.
    /// One that fails is marked error and the others serve.
    /// </summary>
    public StartupReport LoadRunningEndpoints()
    {
        var started = Stopwatch.GetTimestamp();
        int loaded = 0, failed = 0, recompiled = 0;
        foreach (var endpoint in store.ListEndpoints())
        {
            registry.GetOrCreate(endpoint.Id).Limits = LimitsOf(endpoint);
            if (endpoint.Status != EndpointStatus.Running || endpoint.RunningRevision is not { } revision)
            {
                continue;
            }

            try
            {
                var fromCache = ActivateRevision(endpoint.Id, revision);
                recompiled += fromCache ? 0 : 1;
                loaded++;
                LogOf(endpoint.Id).Info($"loaded revision {revision} at start ({(fromCache ? "from the compile cache" : "recompiled: cache entry missing")})");
            }
            catch (Exception ex)
            {
                failed++;
                var message = ex is CompileFailedException cf ? "compile failed: " + cf.Message : ex.Message;
                store.SetEndpointState(endpoint.Id, EndpointStatus.Error, endpoint.CompiledRevision, null, $"load at start failed: {message}");
                LogOf(endpoint.Id).Error($"revision {revision} could not be loaded at start: {ex}");
                Log.LoadFailed(logger, endpoint.Id, ex.Message);
            }
        }

        RebuildRoutes();
        var report = new StartupReport(loaded, failed, recompiled, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        Log.Loaded(logger, loaded, failed, recompiled, report.DurationMs);
        return report;
    }

    private CompileOutcome CompileLocked(string endpointId)
    {
        var record = store.GetEndpoint(endpointId) ?? throw new KeyNotFoundException(endpointId);
        CompiledHandler compiled;
        try
        {
            compiled = compiler.Compile(record.Code);
        }
        catch (CompileFailedException ex)
        {
            // A failed compile changes nothing served: a running endpoint keeps its status and its version.
            var status = registry.Find(endpointId)?.Current is not null ? EndpointStatus.Running : EndpointStatus.Error;
            store.SetEndpointState(endpointId, status, record.CompiledRevision, record.RunningRevision, ex.Message);
            LogOf(endpointId).Error($"compile of revision {record.Revision} failed:\n{ex.Message}");
            Log.CompileFailed(logger, endpointId, record.Revision, ex.Diagnostics.Count);
            throw;
        }

        store.SetRevisionHash(endpointId, record.Revision, compiled.Hash);
        var running = registry.Find(endpointId)?.Current is not null;
        store.SetEndpointState(endpointId, running ? EndpointStatus.Running : EndpointStatus.Compiled, record.Revision, record.RunningRevision, null);
        var warnings = compiled.Warnings.Count == 0 ? "" : $"; {compiled.Warnings.Count} warning(s):\n" + string.Join('\n', compiled.Warnings);
        LogOf(endpointId).Info($"compiled revision {record.Revision} in {compiled.DurationMs:F1} ms{(compiled.FromCache ? " (cached)" : "")}{warnings}");
        Log.Compiled(logger, endpointId, record.Revision, compiled.DurationMs, compiled.FromCache);
        return new CompileOutcome(record.Revision, compiled.DurationMs, compiled.FromCache, compiled.Warnings);
    }

    private StartOutcome StartLocked(string endpointId)
    {
        var record = store.GetEndpoint(endpointId) ?? throw new KeyNotFoundException(endpointId);
        if (record.CompiledRevision is not { } revision)
        {
            throw new EndpointStateException("the endpoint has no successful compile yet: compile (or deploy) it first");
        }

        if (!record.Enabled)
        {
            throw new EndpointStateException("the endpoint is disabled: enable it before starting it");
        }

        var runtime = registry.GetOrCreate(endpointId);
        runtime.Limits = LimitsOf(record);
        var previous = runtime.Current?.Revision;
        try
        {
            ActivateRevision(endpointId, revision);
        }
        catch (CompileFailedException)
        {
            throw;
        }
        catch (Exception ex)
        {
            LogOf(endpointId).Error($"revision {revision} could not be loaded: {ex}");
            store.SetEndpointState(endpointId, runtime.Current is null ? EndpointStatus.Error : EndpointStatus.Running,
                record.CompiledRevision, runtime.Current?.Revision, $"load failed: {ex.Message}");
            throw new HandlerLoadException($"revision {revision} could not be loaded: {ex.Message}", ex);
        }

        store.SetEndpointState(endpointId, EndpointStatus.Running, revision, revision, null);
        LogOf(endpointId).Info(previous is null ? $"started revision {revision}" : $"swapped revision {previous} for {revision}; the old one drains");
        return new StartOutcome(revision, previous);
    }

    /// <summary>
    /// Loads a stored revision and makes it current. A cache entry that does not load (a damaged file) is
    /// dropped and the revision compiled again. Returns whether the image came from the cache.
    /// </summary>
    private bool ActivateRevision(string endpointId, int revision)
    {
        var compiled = CompiledRevision(endpointId, revision, out var fromCache);
        try
        {
            registry.Activate(endpointId, revision, compiled);
            return fromCache;
        }
        catch (BadImageFormatException ex) when (fromCache)
        {
            LogOf(endpointId).Warning($"the cached image of revision {revision} is damaged ({ex.Message}): compiling it again");
            cache.Remove(compiled.Hash);
            registry.Activate(endpointId, revision, CompiledRevision(endpointId, revision, out _));
            return false;
        }
    }

    /// <summary>The compiled image of a stored revision: from the cache, or compiled again if the cache lost it.</summary>
    private CompiledHandler CompiledRevision(string endpointId, int revision, out bool fromCache)
    {
        var stored = store.GetRevision(endpointId, revision) ?? throw new InvalidOperationException($"revision {revision} is missing from the store");
        if (stored.CompileHash is { } hash && cache.TryLoad(hash, out var image, out var symbols))
        {
            fromCache = true;
            return new CompiledHandler(hash, image, symbols, FromCache: true, 0, []);
        }

        fromCache = false;
        var compiled = compiler.Compile(stored.Code);
        store.SetRevisionHash(endpointId, revision, compiled.Hash);
        return compiled;
    }

    private EndpointLimits LimitsOf(EndpointRecord e) => new(e.TimeoutMs, e.DrainTimeoutMs, e.MaxBodyBytes, ValidatorOf(e), FileRootsOf(e), e.StreamBody)
    {
        Auth = AuthOf(e),
        AllowedClientNames = ClientNamesOf(e),
        Name = e.Name,
        Domain = e.Domain,
        CollectionId = e.CollectionId,
        Policies = PoliciesOf(e),
    };

    /// <summary>The interned auth value (compared by reference on every request); an unknown one fails closed.</summary>
    private string AuthOf(EndpointRecord e)
    {
        if (EndpointAuth.All.FirstOrDefault(a => a == e.Auth) is { } known)
        {
            return known;
        }

        LogOf(e.Id).Error($"auth '{e.Auth}' is not known; the endpoint asks for an API key");
        return EndpointAuth.ApiKey;
    }

    private IReadOnlyList<string> ClientNamesOf(EndpointRecord e)
    {
        try
        {
            return e.AllowedClientNameList();
        }
        catch (JsonException ex)
        {
            // A store edited by hand: refusing every certificate is the safe reading.
            LogOf(e.Id).Error($"allowed_client_names could not be read ({ex.Message}); every client certificate is refused");
            return ["\0 unreadable"];
        }
    }

    /// <summary>
    /// The endpoint's traffic policies, rebuilt only in the parts whose settings changed (a route rebuild or an
    /// unrelated edit keeps the rate-limit buckets and the concurrency slots). A store edited by hand into something
    /// unreadable means no policies, logged.
    /// </summary>
    private Policies.EndpointPolicies? PoliciesOf(EndpointRecord e)
    {
        _policies.TryGetValue(e.Id, out var previous);
        try
        {
            var built = Policies.EndpointPolicies.Build(e, previous, time);
            if (built is null)
            {
                _policies.TryRemove(e.Id, out _);
                return null;
            }

            _policies[e.Id] = built;
            return built;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            _policies.TryRemove(e.Id, out _);
            LogOf(e.Id).Error($"traffic policies are off: the stored rate_limit or cors could not be read: {ex.Message}");
            return null;
        }
    }

    /// <summary>The endpoint's file roots as full paths; a store edited by hand into something unreadable means none.</summary>
    private IReadOnlyList<string> FileRootsOf(EndpointRecord e)
    {
        if (e.FileRoots is null)
        {
            return [];
        }

        try
        {
            return [.. e.FileRootList().Where(Path.IsPathFullyQualified).Select(Path.GetFullPath)];
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException)
        {
            LogOf(e.Id).Error($"file_roots could not be read ({ex.Message}); every Response.File is refused");
            return [];
        }
    }

    /// <summary>
    /// The endpoint's request validator, built only when its OpenAPI operation changed (not per request, not per route
    /// rebuild). The admin API and the importer refuse an operation that does not build, so a failure here means a
    /// store written by hand: it is logged and the endpoint serves unvalidated.
    /// </summary>
    private RequestValidator? ValidatorOf(EndpointRecord e)
    {
        if (!e.ValidateRequests || e.OpenApi is null)
        {
            _validators.TryRemove(e.Id, out _);
            return null;
        }

        if (_validators.TryGetValue(e.Id, out var built) && string.Equals(built.Text, e.OpenApi, StringComparison.Ordinal))
        {
            return built.Validator;
        }

        try
        {
            var validator = RequestValidator.Build(JsonNode.Parse(e.OpenApi)!.AsObject());
            _validators[e.Id] = (e.OpenApi, validator);
            return validator;
        }
        catch (Exception ex) when (ex is ContractException or JsonException or InvalidOperationException)
        {
            _validators.TryRemove(e.Id, out _);
            LogOf(e.Id).Error($"request validation is off: the stored OpenAPI operation does not build: {ex.Message}");
            return null;
        }
    }

    private async Task<IDisposable> LockAsync(string endpointId)
    {
        var gate = _locks.GetOrAdd(endpointId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync();
        return new Releaser(gate);
    }

    private sealed class Releaser(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.RouteTableRebuilt, LogLevel.Debug, "Route table rebuilt: {Count} route(s)")]
        public static partial void RoutesRebuilt(ILogger logger, int count);

        [LoggerMessage(EventIds.EndpointLoaded, LogLevel.Information, "Loaded {Loaded} running endpoint(s) at start ({Failed} failed, {Recompiled} recompiled) in {DurationMs:F0} ms")]
        public static partial void Loaded(ILogger logger, int loaded, int failed, int recompiled, double durationMs);

        [LoggerMessage(EventIds.EndpointLoadFailed, LogLevel.Error, "Endpoint {EndpointId} could not be loaded at start: {Reason}")]
        public static partial void LoadFailed(ILogger logger, string endpointId, string reason);

        [LoggerMessage(EventIds.EndpointCompiled, LogLevel.Information, "Endpoint {EndpointId}: revision {Revision} compiled in {DurationMs:F1} ms (cached: {Cached})")]
        public static partial void Compiled(ILogger logger, string endpointId, int revision, double durationMs, bool cached);

        [LoggerMessage(EventIds.CompileFailed, LogLevel.Information, "Endpoint {EndpointId}: revision {Revision} failed to compile ({Count} diagnostic(s))")]
        public static partial void CompileFailed(ILogger logger, string endpointId, int revision, int count);
    }
}
