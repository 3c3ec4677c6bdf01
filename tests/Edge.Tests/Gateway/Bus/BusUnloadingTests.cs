using System.Runtime.CompilerServices;
using Edge.Gateway.Bus;
using Edge.Gateway.Handlers;
using Edge.Sdk;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Tests.Gateway.Bus;

/// <summary>
/// Handlers that subscribe, publish handler records as JSON and call each other with <c>RequestAsync</c> leave
/// nothing of theirs in the process-wide bus: every retired version's collectible context is collected.
/// </summary>
public sealed class BusUnloadingTests : IDisposable
{
    private const string CallerSource = """
        using System.Threading;

        record Ask(int N);

        async Task<Response> Handle(Context ctx, Request req)
        {
            using var stop = new CancellationTokenSource();
            var messages = ctx.Bus.SubscribeAsync("unload", stop.Token).GetAsyncEnumerator();
            var first = messages.MoveNextAsync();
            while (ctx.Bus.SubscriberCount("unload") == 0) { await Task.Delay(1); }
            await ctx.Bus.PublishAsync("unload", JsonSerializer.Serialize(new Ask(4)));
            await first;
            var got = JsonSerializer.Deserialize<Ask>(messages.Current)!;
            stop.Cancel();
            await messages.DisposeAsync();
            var answer = await ctx.Bus.RequestAsync("target", new Ask(got.N + 1), null);
            return Response.Text(answer.Status, (string)answer.Body!);
        }
        """;

    private const string TargetSource = """
        record Ask(int N);
        record Answer(int Value, List<string> Tags);

        Response Handle(Context ctx, Request req) => Response.Ok(new Answer(req.Json<Ask>().N * 10, ["a"]));
        """;

    private readonly string _cacheDir = Path.Combine(Path.GetTempPath(), "edge-bus-unload-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Retire_AfterBusTrafficWithHandlerRecords_ContextsAreCollected()
    {
        // Arrange
        var compiler = new HandlerCompiler(new CompileCache(_cacheDir), NullLogger<HandlerCompiler>.Instance);
        using var registry = new HandlerRegistry(TimeProvider.System, NullLogger<HandlerRegistry>.Instance);
        var store = new SharedStateStore(TimeProvider.System);
        var directory = new EndpointDirectory();
        directory.Publish([new BusTarget("e2", "target", "/target", true), new BusTarget("e1", "caller", "/caller", true)]);
        var hub = new BusHub();
        hub.Attach(new EndpointCaller(hub, directory, registry, NoServices.Instance, store));
        var caller = compiler.Compile(CallerSource);
        var target = compiler.Compile(TargetSource);

        // Act
        var weak = await ServeThenSwapAsync(registry, hub, store, caller, target, versions: 8);
        for (var i = 0; i < 40 && weak.Count(w => w.IsAlive) > 2; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            await Task.Delay(25);
        }

        // Assert
        weak.Count(w => w.IsAlive).ShouldBe(2, "only the two current versions' contexts may stay alive");
        hub.SubscriberCount.ShouldBe(0);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<List<WeakReference>> ServeThenSwapAsync(
        HandlerRegistry registry, BusHub hub, SharedStateStore store, CompiledHandler caller, CompiledHandler target, int versions)
    {
        var weak = new List<WeakReference>();
        for (var revision = 1; revision <= versions; revision++)
        {
            weak.Add(registry.Activate("e1", revision, caller).ContextReference);
            weak.Add(registry.Activate("e2", revision, target).ContextReference);
            (await InvokeAsync(registry.Find("e1")!, hub, store)).ShouldBe("{\"value\":50,\"tags\":[\"a\"]}");
        }

        return weak;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<string> InvokeAsync(EndpointRuntime runtime, BusHub hub, SharedStateStore store)
    {
        var version = runtime.Acquire()!;
        try
        {
            var context = new Context(NullHandlerLogSink.Instance, "e1", "r1", CancellationToken.None, null, version.JsonOptions, store, hub);
            var response = await version.Invoke(context, new Request("GET", "/caller"));
            context.Release();
            response.Status.ShouldBe(200, response.Body?.ToString());
            return (string)response.Body!;
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
