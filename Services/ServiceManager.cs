using System.Collections.Frozen;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Edge.Gateway.Config;
using Edge.Sdk;
using Edge.Services.Records;

namespace Edge.Services;

/// <summary>
/// The active services and how handlers find them. Changes (activate, deactivate, config change, delete,
/// binding change) run one at a time and publish a new immutable <see cref="ServiceDirectory"/>; lookups on
/// the request path read the current one without locking. A replaced or deactivated instance is retired:
/// new calls are refused, the admitted ones finish, then its client is disposed.
/// </summary>
internal sealed partial class ServiceManager(ConfigStore store, ServiceEnvironment environment, ILogger<ServiceManager> logger)
    : IServiceResolver, IAsyncDisposable
{
    /// <summary>How long a retired instance's admitted calls get to finish before its client is disposed anyway.</summary>
    public static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(30);

    /// <summary>The longest a probe (activate, test) waits for the backend.</summary>
    public static readonly TimeSpan ProbeLimit = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _changes = new(1, 1);
    private readonly Dictionary<string, ServiceInstance> _active = new(StringComparer.Ordinal);
    private ServiceDirectory _directory = ServiceDirectory.Empty;

    public ServiceDirectory Directory => Volatile.Read(ref _directory);

    /// <summary>Activates every enabled service (no probes: a backend that is down now answers 503 until it is back).</summary>
    public async Task LoadAsync()
    {
        await _changes.WaitAsync();
        try
        {
            foreach (var record in store.ListServices().Where(s => s.Enabled))
            {
                try
                {
                    _active[record.Id] = Build(record);
                }
                catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
                {
                    Log.NotActivated(logger, record.Name, ex.Message);
                }
            }

            Publish();
        }
        finally
        {
            _changes.Release();
        }
    }

    /// <summary>Builds the connector for <paramref name="record"/> without activating it: null when it can be built, else why not.</summary>
    public static string? CheckBuildable(ServiceRecord record, ServiceEnvironment environment)
    {
        try
        {
            var instance = ServiceFactory.Create(Definition(record), environment, checkOnly: true);
            instance.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            return ex.Message;
        }
    }

    public ServiceEnvironment Environment => environment;

    public async Task<ActivationResult?> ActivateAsync(string id)
    {
        await _changes.WaitAsync();
        ServiceInstance instance;
        string message;
        try
        {
            if (store.GetService(id) is not { } record)
            {
                return null;
            }

            if (_active.TryGetValue(id, out var existing))
            {
                instance = existing;
                message = "already active";
            }
            else
            {
                // Built before the flag is stored: a service that cannot be built stays inactive.
                instance = Build(record);
                store.UpdateService(id, s => s with { Enabled = true });
                _active[id] = instance;
                Publish();
                message = "activated";
                Log.Activated(logger, record.Name, record.ServiceType);
            }
        }
        finally
        {
            _changes.Release();
        }

        var probe = await ProbeAsync(instance);
        return new ActivationResult(instance.Id, instance.Name, instance.Type, true, probe,
            probe.Connected ? $"{message}; {probe.Message}" : $"{message}, but the backend does not answer yet: {probe.Error}");
    }

    public async Task<ActivationResult?> DeactivateAsync(string id)
    {
        ServiceInstance? instance;
        ServiceRecord? record;
        await _changes.WaitAsync();
        try
        {
            record = store.UpdateService(id, s => s with { Enabled = false });
            if (record is null)
            {
                return null;
            }

            if (_active.Remove(id, out instance))
            {
                Publish();
            }
        }
        finally
        {
            _changes.Release();
        }

        var drained = instance is null || await RetireAsync(instance);
        var message = instance is null ? "was not active" : drained ? "deactivated; in-flight operations completed" : $"deactivated; operations still running after {DrainLimit.TotalSeconds:0} s were cut off";
        return new ActivationResult(record.Id, record.Name, record.ServiceType, false, null, message);
    }

    /// <summary>After a config change is stored: an active service gets a new connector; the old one drains.</summary>
    public async Task ConfigChangedAsync(ServiceRecord record)
    {
        ServiceInstance? old = null;
        await _changes.WaitAsync();
        try
        {
            if (record.Enabled)
            {
                var next = Build(record);
                _active.Remove(record.Id, out old);
                _active[record.Id] = next;
            }
            else
            {
                _active.Remove(record.Id, out old);
            }

            Publish();
        }
        finally
        {
            _changes.Release();
        }

        if (old is not null)
        {
            _ = RetireAsync(old);
        }
    }

    /// <summary>After a delete: the service's connector drains and goes.</summary>
    public async Task RemovedAsync(string id)
    {
        ServiceInstance? old;
        await _changes.WaitAsync();
        try
        {
            _active.Remove(id, out old);
            Publish();
        }
        finally
        {
            _changes.Release();
        }

        if (old is not null)
        {
            _ = RetireAsync(old);
        }
    }

    /// <summary>After bindings or names changed: republish so lookups see them.</summary>
    public async Task RefreshAsync()
    {
        await _changes.WaitAsync();
        try
        {
            Publish();
        }
        finally
        {
            _changes.Release();
        }
    }

    /// <summary>A real round trip: through the active connector, or through a temporary one for an inactive service.</summary>
    public async Task<ProbeResult?> TestAsync(string id)
    {
        if (Directory.ById.TryGetValue(id, out var active))
        {
            return await ProbeAsync(active);
        }

        if (store.GetService(id) is not { } record)
        {
            return null;
        }

        ServiceInstance temporary;
        try
        {
            temporary = Build(record);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            return new ProbeResult(false, 0, null, ex.Message);
        }

        try
        {
            return await ProbeAsync(temporary);
        }
        finally
        {
            await temporary.DisposeAsync();
        }
    }

    public ServiceStatus? Status(string id) => Directory.ById.TryGetValue(id, out var instance) ? instance.Status() : null;

    public T Resolve<T>(Context context, string name, string accessor)
        where T : class
    {
        var instance = Find(context.EndpointId, name);
        return instance.CreateHandle<T>(context) ?? throw WrongKind(instance, name, accessor);
    }

    public IRecords Records(Context context, string name, string tableOrPath)
    {
        var instance = Find(context.EndpointId, name);
        if (instance.CreateHandle<IDatabase>(context) is { } database)
        {
            return new TableRecords(database, tableOrPath, context.JsonOptions, instance.EnsuredTables);
        }

        if (instance.CreateHandle<IObjectStorage>(context) is { } storage)
        {
            return new ObjectRecords(storage, tableOrPath, context.JsonOptions);
        }

        if (instance.CreateHandle<IFileTransfer>(context) is { } files)
        {
            return new FileRecords(files, tableOrPath, context.JsonOptions);
        }

        throw WrongKind(instance, name, nameof(Context.Records));
    }

    public async ValueTask DisposeAsync()
    {
        List<ServiceInstance> all;
        await _changes.WaitAsync();
        try
        {
            all = [.. _active.Values];
            _active.Clear();
            Volatile.Write(ref _directory, ServiceDirectory.Empty);
        }
        finally
        {
            _changes.Release();
        }

        foreach (var instance in all)
        {
            instance.Retire();
            await instance.DisposeAsync();
        }
    }

    private ServiceInstance Find(string endpointId, string name)
    {
        var directory = Directory;
        if (directory.Bindings.TryGetValue(endpointId, out var bound) && bound.TryGetValue(name, out var serviceId))
        {
            return directory.ById.TryGetValue(serviceId, out var boundInstance)
                ? boundInstance
                : throw HandlerError.ServiceUnavailable(
                    $"service '{directory.NameOf(serviceId)}' (bound to this endpoint as '{name}') is not active");
        }

        if (directory.ByName.TryGetValue(name, out var instance))
        {
            return instance;
        }

        throw HandlerError.ServiceUnavailable(directory.Known.Contains(name)
            ? $"service '{name}' is not active"
            : $"no service named '{name}', and no service bound to this endpoint as '{name}'");
    }

    private static HandlerError WrongKind(ServiceInstance instance, string name, string accessor)
    {
        var wanted = accessor switch
        {
            nameof(Context.Database) => "sqlite, postgres or mysql",
            nameof(Context.Cache) => "redis",
            nameof(Context.Storage) => "minio (S3)",
            nameof(Context.Ftp) => "ftp",
            nameof(Context.Email) => "email",
            _ => "a database, minio (S3) or ftp",
        };
        return HandlerError.Internal($"service '{name}' is a {instance.Type} service, but ctx.{accessor} needs {wanted}");
    }

    private static async Task<ProbeResult> ProbeAsync(ServiceInstance instance)
    {
        var started = Stopwatch.GetTimestamp();
        using var limit = new CancellationTokenSource(ProbeLimit);
        try
        {
            var message = await instance.ProbeAsync(limit.Token).WaitAsync(limit.Token);
            return new ProbeResult(true, Elapsed(started), message, null);
        }
        catch (OperationCanceledException)
        {
            return new ProbeResult(false, Elapsed(started), null, $"no answer within {ProbeLimit.TotalSeconds:0} s");
        }
        catch (Exception ex)
        {
            return new ProbeResult(false, Elapsed(started), null, ex is HandlerError ? ex.Message : Describe(ex));
        }
    }

    private static string Describe(Exception error)
    {
        var message = error.Message;
        if (error.InnerException is { } inner && !message.Contains(inner.Message, StringComparison.Ordinal))
        {
            message = $"{message} ({inner.Message})";
        }

        return message;
    }

    private static long Elapsed(long started) => (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;

    private async Task<bool> RetireAsync(ServiceInstance instance)
    {
        instance.Retire();
        var drained = await instance.Gate.WaitIdleAsync(DrainLimit);
        try
        {
            await instance.DisposeAsync();
        }
        catch (Exception ex)
        {
            Log.DisposeFailed(logger, instance.Name, ex.Message);
        }

        return drained;
    }

    private ServiceInstance Build(ServiceRecord record) => ServiceFactory.Create(Definition(record), environment);

    private static ServiceDefinition Definition(ServiceRecord record) =>
        new(record.Id, record.Name, record.ServiceType, JsonNode.Parse(record.Config) as JsonObject ?? []);

    private void Publish()
    {
        var services = store.ListServices();
        var names = services.ToDictionary(s => s.Id, s => s.Name, StringComparer.Ordinal);
        var bindings = store.ListAllBindings()
            .GroupBy(b => b.EndpointId, StringComparer.Ordinal)
            .ToFrozenDictionary(
                g => g.Key,
                g => g.ToFrozenDictionary(b => b.PoolId, b => b.ServiceId, StringComparer.Ordinal),
                StringComparer.Ordinal);
        var byName = _active.Values.ToFrozenDictionary(i => names.GetValueOrDefault(i.Id, i.Name), StringComparer.Ordinal);
        Volatile.Write(ref _directory, new ServiceDirectory(
            _active.ToFrozenDictionary(StringComparer.Ordinal),
            byName,
            services.Select(s => s.Name).ToFrozenSet(StringComparer.Ordinal),
            names.ToFrozenDictionary(StringComparer.Ordinal),
            bindings));
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3020, Level = LogLevel.Information, Message = "service '{Name}' ({Type}) activated")]
        public static partial void Activated(ILogger logger, string name, string type);

        [LoggerMessage(EventId = 3021, Level = LogLevel.Warning, Message = "service '{Name}' could not be activated: {Reason}")]
        public static partial void NotActivated(ILogger logger, string name, string reason);

        [LoggerMessage(EventId = 3022, Level = LogLevel.Warning, Message = "service '{Name}': closing its client failed: {Reason}")]
        public static partial void DisposeFailed(ILogger logger, string name, string reason);
    }
}

/// <summary>An immutable view of the active services, their names and every endpoint's bindings.</summary>
internal sealed record ServiceDirectory(
    FrozenDictionary<string, ServiceInstance> ById,
    FrozenDictionary<string, ServiceInstance> ByName,
    FrozenSet<string> Known,
    FrozenDictionary<string, string> Names,
    FrozenDictionary<string, FrozenDictionary<string, string>> Bindings)
{
    public static readonly ServiceDirectory Empty = new(
        FrozenDictionary<string, ServiceInstance>.Empty,
        FrozenDictionary<string, ServiceInstance>.Empty,
        FrozenSet<string>.Empty,
        FrozenDictionary<string, string>.Empty,
        FrozenDictionary<string, FrozenDictionary<string, string>>.Empty);

    public string NameOf(string serviceId) => Names.GetValueOrDefault(serviceId, serviceId);
}

/// <summary>The answer of <c>/test</c> (and part of <c>/activate</c>'s): a real round trip's outcome.</summary>
internal sealed record ProbeResult(bool Connected, long LatencyMs, string? Message, string? Error);

/// <summary>The answer of <c>/activate</c> and <c>/deactivate</c>.</summary>
internal sealed record ActivationResult(string Id, string Name, string ServiceType, bool Active, ProbeResult? Probe, string Message);
