using System.Runtime.CompilerServices;
using Edge.Gateway;
using Edge.Gateway.Handlers;
using Edge.Sdk;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Tests.Gateway.Handlers;

/// <summary>
/// Retired versions really unload: after a swap and a drain, the version's collectible context is collected,
/// even when the handler returned its own record and anonymous types that the gateway serialised to JSON.
/// </summary>
public sealed class HandlerUnloadingTests : IDisposable
{
    private const string Source = """
        record Item(int Id, string Name, List<string> Tags);

        async Task<Response> Handle(Context ctx, Request req)
        {
            var input = req.Json<Item>();
            await Task.Yield();
            return Response.Ok(new { item = input, echo = new Item(input.Id + 1, input.Name, input.Tags) });
        }
        """;

    private readonly string _cacheDir = Path.Combine(Path.GetTempPath(), "edge-unload-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Retire_AfterServingJson_ContextIsCollected()
    {
        var compiler = new HandlerCompiler(new CompileCache(_cacheDir), NullLogger<HandlerCompiler>.Instance);
        var registry = new HandlerRegistry(TimeProvider.System, NullLogger<HandlerRegistry>.Instance);
        var compiled = compiler.Compile(Source);

        var weak = await ServeThenSwapAsync(registry, compiled, versions: 20);

        for (var i = 0; i < 20 && weak.Any(w => w.IsAlive); i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            await Task.Delay(20);
        }

        SerializerCaches.CanClear.ShouldBeTrue("System.Text.Json's cache-clearing hook moved: unloading depends on it");
        weak.Count(w => w.IsAlive).ShouldBe(1, "only the current version's context may stay alive");
        registry.Stats().Draining.ShouldBe(0);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<List<WeakReference>> ServeThenSwapAsync(HandlerRegistry registry, CompiledHandler compiled, int versions)
    {
        var weak = new List<WeakReference>();
        for (var revision = 1; revision <= versions; revision++)
        {
            var version = registry.Activate("e1", revision, compiled);
            weak.Add(version.ContextReference);
            await InvokeAndSerializeAsync(registry.Find("e1")!);
        }

        return weak;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task InvokeAndSerializeAsync(EndpointRuntime runtime)
    {
        var version = runtime.Acquire()!;
        try
        {
            var body = """{"id": 41, "NAME": "widget", "tags": ["a", "b"]}"""u8.ToArray();
            var http = new Microsoft.AspNetCore.Http.DefaultHttpContext();
            http.Request.Method = "POST";
            http.Request.Path = "/items";

            // As the gateway does: the request reads, and the response is written, with the version's own options.
            var request = new Request(http, body, null, version.JsonOptions, "r1");
            var response = await version.Invoke(new Context(), request);
            var output = new MemoryStream();
            http.Response.Body = output;
            await ResponseWriter.WriteAsync(http, response, version.JsonOptions);
            System.Text.Encoding.UTF8.GetString(output.ToArray())
                .ShouldBe("""{"item":{"id":41,"name":"widget","tags":["a","b"]},"echo":{"id":42,"name":"widget","tags":["a","b"]}}""");
        }
        finally
        {
            version.Release();
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_cacheDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
