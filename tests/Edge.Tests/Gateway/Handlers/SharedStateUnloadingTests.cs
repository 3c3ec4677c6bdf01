using System.Runtime.CompilerServices;
using System.Text.Json;
using Edge.Gateway.Handlers;
using Edge.Sdk;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Tests.Gateway.Handlers;

/// <summary>
/// A handler's own record stored in ctx.State is kept as JSON, so the process-wide store never keeps a retired
/// version's collectible context alive, and the value outlives the version that wrote it.
/// </summary>
public sealed class SharedStateUnloadingTests : IDisposable
{
    private const string Source = """
        record Item(int Id, string Name, List<string> Tags);
        enum Kind { Small, Large }

        Response Handle(Context ctx, Request req)
        {
            var previous = ctx.State.Get<Item>("item");
            ctx.State.Set("item", new Item((previous?.Id ?? 0) + 1, "widget", ["a", "b"]));
            ctx.State.Set("kind", Kind.Large);
            ctx.State.GetOrAdd("first", () => new { at = "start" });
            ctx.State.CompareAndSet("item", new Item(-1, "x", []), new Item(-2, "y", []));
            return Response.Ok(new { id = ctx.State.Get<Item>("item")!.Id });
        }
        """;

    private readonly string _cacheDir = Path.Combine(Path.GetTempPath(), "edge-state-unload-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Retire_AfterStoringHandlerRecords_ContextIsCollected()
    {
        // Arrange
        var compiler = new HandlerCompiler(new CompileCache(_cacheDir), NullLogger<HandlerCompiler>.Instance);
        var registry = new HandlerRegistry(TimeProvider.System, NullLogger<HandlerRegistry>.Instance);
        var store = new SharedStateStore(TimeProvider.System);
        var compiled = compiler.Compile(Source);

        // Act
        var weak = await ServeThenSwapAsync(registry, compiled, store, versions: 10);
        for (var i = 0; i < 20 && weak.Count(w => w.IsAlive) > 1; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            await Task.Delay(20);
        }

        // Assert
        weak.Count(w => w.IsAlive).ShouldBe(1, "only the current version's context may stay alive");
        var state = new SharedState(store, new JsonSerializerOptions(JsonSerializerDefaults.Web));
        state.Get<JsonElement>("item").GetProperty("id").GetInt32().ShouldBe(10);
        state.Get<int>("kind").ShouldBe(1);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<List<WeakReference>> ServeThenSwapAsync(HandlerRegistry registry, CompiledHandler compiled, SharedStateStore store, int versions)
    {
        var weak = new List<WeakReference>();
        for (var revision = 1; revision <= versions; revision++)
        {
            var version = registry.Activate("e1", revision, compiled);
            weak.Add(version.ContextReference);
            await InvokeAsync(registry.Find("e1")!, store, revision);
        }

        return weak;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task InvokeAsync(EndpointRuntime runtime, SharedStateStore store, int expectedId)
    {
        var version = runtime.Acquire()!;
        try
        {
            var http = new Microsoft.AspNetCore.Http.DefaultHttpContext();
            var context = new Context(NullHandlerLogSink.Instance, "e1", "r1", CancellationToken.None, null, version.JsonOptions, store);
            var response = await version.Invoke(context, new Request(http, [], null, version.JsonOptions, "r1"));
            response.Status.ShouldBe(200);
            JsonSerializer.SerializeToElement(response.Body, version.JsonOptions).GetProperty("id").GetInt32().ShouldBe(expectedId);
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
