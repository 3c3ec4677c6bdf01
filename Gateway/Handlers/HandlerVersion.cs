using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Edge.Sdk;

namespace Edge.Gateway.Handlers;

/// <summary>
/// One loaded version of one endpoint's handler: its collectible context, the cached delegate and the JSON
/// options its types are serialised with. Counts its in-flight requests so a swap can drain it, then unload it.
/// </summary>
internal sealed class HandlerVersion
{
    private readonly WeakReference _contextRef;
    private HandlerLoadContext? _context;
    private int _active;
    private int _retired;
    private int _unloaded;
    private Action<HandlerVersion>? _onIdle;

    private HandlerVersion(string endpointId, int revision, string hash, HandlerLoadContext context,
        Func<Context, Request, ValueTask<Response>> invoke)
    {
        EndpointId = endpointId;
        Revision = revision;
        Hash = hash;
        _context = context;
        _contextRef = new WeakReference(context, trackResurrection: false);
        Invoke = invoke;

        // PERF and unloading: System.Text.Json caches type metadata per options object, and options with equal
        // settings share one cache. A resolver instance of its own makes these options unlike any other, so the
        // cache holding this version's types is dropped with the version instead of pinning its context.
        JsonOptions = new JsonSerializerOptions(JsonSerializerDefaults.Web) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };
    }

    public string EndpointId { get; }
    public int Revision { get; }
    public string Hash { get; }
    public Func<Context, Request, ValueTask<Response>> Invoke { get; }
    public JsonSerializerOptions JsonOptions { get; }
    public int ActiveRequests => Volatile.Read(ref _active);
    public bool IsRetired => Volatile.Read(ref _retired) != 0;
    public bool IsUnloaded => Volatile.Read(ref _unloaded) != 0;

    /// <summary>Alive until the collectible context has really been collected.</summary>
    public WeakReference ContextReference => _contextRef;

    /// <summary>Loads the image into a fresh collectible context and binds the Handle method to a delegate.</summary>
    public static HandlerVersion Load(string endpointId, int revision, CompiledHandler compiled)
    {
        var context = new HandlerLoadContext($"edge:{endpointId}:r{revision}");
        try
        {
            using var image = new MemoryStream(compiled.Image, writable: false);
            using var symbols = compiled.Symbols is null ? null : new MemoryStream(compiled.Symbols, writable: false);
            var assembly = context.LoadFromStream(image, symbols);
            var invoke = BindEntryPoint(assembly);
            return new HandlerVersion(endpointId, revision, compiled.Hash, context, invoke);
        }
        catch
        {
            context.Unload();
            throw;
        }
    }

    /// <summary>Counts a request in; false when the version was retired meanwhile (take the new current one).</summary>
    public bool TryAcquire()
    {
        Interlocked.Increment(ref _active);
        if (Volatile.Read(ref _retired) != 0)
        {
            Release();
            return false;
        }

        return true;
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _active) == 0 && Volatile.Read(ref _retired) != 0)
        {
            Unload();
        }
    }

    /// <summary>No new requests; unloads as soon as the in-flight ones are done (<paramref name="onIdle"/> is told).</summary>
    public void Retire(Action<HandlerVersion> onIdle)
    {
        _onIdle = onIdle;
        Interlocked.Exchange(ref _retired, 1);
        if (Volatile.Read(ref _active) == 0)
        {
            Unload();
        }
    }

    /// <summary>Starts unloading the context. Code still running keeps it alive until it returns; then it is collected.</summary>
    public void Unload()
    {
        if (Interlocked.Exchange(ref _unloaded, 1) != 0)
        {
            return;
        }

        var context = Interlocked.Exchange(ref _context, null);
        context?.Unload();
        _onIdle?.Invoke(this);
    }

    private static Func<Context, Request, ValueTask<Response>> BindEntryPoint(Assembly assembly)
    {
        const BindingFlags Flags = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;
        MethodInfo? entry = null;
        foreach (var type in assembly.GetTypes())
        {
            foreach (var method in type.GetMethods(Flags))
            {
                if (method.Name != "Handle")
                {
                    continue;
                }

                var parameters = method.GetParameters();
                if (parameters.Length == 2 && parameters[0].ParameterType == typeof(Context) && parameters[1].ParameterType == typeof(Request) &&
                    (method.ReturnType == typeof(Response) || method.ReturnType == typeof(Task<Response>) || method.ReturnType == typeof(ValueTask<Response>)))
                {
                    entry = entry is null ? method : throw new InvalidOperationException("more than one Handle(Context, Request) method");
                }
            }
        }

        if (entry is null)
        {
            throw new InvalidOperationException("no Handle(Context, Request) method in the compiled handler");
        }

        var target = entry.IsStatic ? null : Activator.CreateInstance(entry.DeclaringType!, nonPublic: true);
        if (entry.ReturnType == typeof(ValueTask<Response>))
        {
            return entry.CreateDelegate<Func<Context, Request, ValueTask<Response>>>(target);
        }

        if (entry.ReturnType == typeof(Task<Response>))
        {
            var asTask = entry.CreateDelegate<Func<Context, Request, Task<Response>>>(target);
            return (ctx, req) => new ValueTask<Response>(asTask(ctx, req));
        }

        var sync = entry.CreateDelegate<Func<Context, Request, Response>>(target);
        return (ctx, req) => new ValueTask<Response>(sync(ctx, req));
    }
}
