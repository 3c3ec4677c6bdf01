using System.Reflection;
using BenchmarkDotNet.Attributes;
using Edge.Gateway.Handlers;
using Edge.Sdk;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Bench;

/// <summary>
/// The handler call without sockets: a host-compiled method against the same code compiled by Roslyn, loaded
/// into a collectible context (as the gateway does) or into the default one, and the gateway's in-flight counting.
/// </summary>
[MemoryDiagnoser]
public class DispatchBenchmarks
{
    // What users write (bench/load.sh deploys the same): a top-level Handle, wrapped by the compiler.
    private const string HelloSource = """Response Handle(Context ctx, Request req) => Response.Ok(new { message = "hello" });""";

    private readonly Context _context = new();
    private readonly Request _request = new("GET", "/hello");
    private string _cacheDirectory = "";
    private Func<Context, Request, ValueTask<Response>> _host = null!;
    private Func<Context, Request, ValueTask<Response>> _defaultContext = null!;
    private HandlerVersion _version = null!;
    private EndpointRuntime _runtime = null!;

    [GlobalSetup]
    public void Setup()
    {
        // The shape HandlerVersion binds a synchronous Handle to: a typed delegate inside a ValueTask lambda.
        _host = Wrap(Handle);

        _cacheDirectory = Directory.CreateTempSubdirectory("edge-bench-").FullName;
        var compiler = new HandlerCompiler(new CompileCache(_cacheDirectory), NullLogger<HandlerCompiler>.Instance);
        var compiled = compiler.Compile(HelloSource, useCache: false);
        _version = HandlerVersion.Load("hello", 1, compiled);
        _runtime = new EndpointRuntime("hello", new EndpointLog(TimeProvider.System));
        _runtime.Swap(_version);

        // The same image once more, in the default context: never unloaded, which a benchmark process can afford.
        var type = Assembly.Load(compiled.Image).GetType(HandlerCompiler.WrapperTypeName, throwOnError: true)!;
        var handle = type.GetMethod("Handle", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)!;
        _defaultContext = Wrap(handle.CreateDelegate<Func<Context, Request, Response>>(Activator.CreateInstance(type, nonPublic: true)));

        if (HostCall().Status != 200 || CompiledCall().Status != 200 || CompiledDefaultContextCall().Status != 200 || GatewayCall().Status != 200)
        {
            throw new InvalidOperationException("the hello handler did not answer 200");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _version.Unload();
        Directory.Delete(_cacheDirectory, recursive: true);
    }

    /// <summary>The host's own compile of the handler's code, called through the same delegate type.</summary>
    [Benchmark(Baseline = true)]
    public Response HostCall() => _host(_context, _request).Result;

    /// <summary>The Roslyn-compiled handler in its collectible context: what the gateway runs.</summary>
    [Benchmark]
    public Response CompiledCall() => _version.Invoke(_context, _request).Result;

    /// <summary>The same Roslyn image in the default context: tells the compiler's share from the collectible context's.</summary>
    [Benchmark]
    public Response CompiledDefaultContextCall() => _defaultContext(_context, _request).Result;

    /// <summary>What GatewayMiddleware does around the call: count the request in on the current version, then out.</summary>
    [Benchmark]
    public Response GatewayCall()
    {
        var version = _runtime.Acquire() ?? throw new InvalidOperationException("the endpoint is not running");
        try
        {
            var pending = version.Invoke(_context, _request);
            return pending.IsCompleted ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        }
        finally
        {
            version.Release();
        }
    }

    private static Func<Context, Request, ValueTask<Response>> Wrap(Func<Context, Request, Response> sync) =>
        (ctx, req) => new ValueTask<Response>(sync(ctx, req));

    private static Response Handle(Context ctx, Request req) => Response.Ok(new { message = "hello" });
}
