using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Edge.Gateway;
using Edge.Gateway.Config;
using Edge.Gateway.Handlers;
using Edge.Sdk;
using Edge.Services;
using Edge.Services.Sql;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Tests.Services.Sql;

/// <summary>
/// Parameters given as a handler's anonymous object are read by reflection; the property cache must not keep the
/// handler's collectible context alive once its version is retired.
/// </summary>
public sealed class SqlUnloadingTests : IAsyncDisposable
{
    private const string Source = """
        async Task<Response> Handle(Context ctx, Request req)
        {
            var db = ctx.Database("db");
            var row = await db.QueryOneAsync("SELECT @id AS id, @name AS name", new { id = 41, name = "widget" });
            return Response.Ok(new { row, n = await db.ScalarAsync<int>("SELECT @n", new { n = 7 }) });
        }
        """;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "edge-sql-unload-" + Guid.NewGuid().ToString("N"));
    private readonly SqliteService _sqlite;

    public SqlUnloadingTests()
    {
        Directory.CreateDirectory(_dir);
        _ = ConfigStore.Open(Path.Combine(_dir, "edge.db"), TimeProvider.System); // initialises the native SQLite library once
        _sqlite = new SqliteService(
            new ServiceDefinition("s1", "db", "sqlite", new JsonObject { ["path"] = Path.Combine(_dir, "data.sqlite"), ["create_if_missing"] = true }),
            NullLogger.Instance);
    }

    [Fact]
    public async Task Retire_AfterQueriesWithAnonymousArgs_ContextIsCollected()
    {
        // Arrange
        var compiler = new HandlerCompiler(new CompileCache(Path.Combine(_dir, "cache")), NullLogger<HandlerCompiler>.Instance);
        var registry = new HandlerRegistry(TimeProvider.System, NullLogger<HandlerRegistry>.Instance);
        var compiled = compiler.Compile(Source);

        // Act
        var weak = await ServeThenSwapAsync(registry, compiled, new Resolver(_sqlite), versions: 10);
        for (var i = 0; i < 20 && weak.Count(w => w.IsAlive) > 1; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            await Task.Delay(20);
        }

        // Assert
        weak.Count(w => w.IsAlive).ShouldBe(1, "only the current version's context may stay alive");
    }

    public async ValueTask DisposeAsync()
    {
        await _sqlite.DisposeAsync();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<List<WeakReference>> ServeThenSwapAsync(HandlerRegistry registry, CompiledHandler compiled, Resolver resolver, int versions)
    {
        var weak = new List<WeakReference>();
        for (var revision = 1; revision <= versions; revision++)
        {
            var version = registry.Activate("e1", revision, compiled);
            weak.Add(version.ContextReference);
            await InvokeAsync(registry.Find("e1")!, resolver);
        }

        return weak;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task InvokeAsync(EndpointRuntime runtime, Resolver resolver)
    {
        var version = runtime.Acquire()!;
        try
        {
            var http = new Microsoft.AspNetCore.Http.DefaultHttpContext();
            var context = new Context(NullHandlerLogSink.Instance, "e1", "r1", CancellationToken.None, resolver, version.JsonOptions);
            var response = await version.Invoke(context, new Request(http, [], null, version.JsonOptions, "r1"));
            var output = new MemoryStream();
            http.Response.Body = output;
            await ResponseWriter.WriteAsync(http, response, version.JsonOptions);
            System.Text.Encoding.UTF8.GetString(output.ToArray()).ShouldBe("""{"row":{"id":41,"name":"widget"},"n":7}""");
        }
        finally
        {
            version.Release();
        }
    }

    private sealed class Resolver(SqliteService sqlite) : IServiceResolver
    {
        public T Resolve<T>(Context context, string name, string accessor)
            where T : class => sqlite.CreateHandle<T>(context)!;

        public IRecords Records(Context context, string name, string tableOrPath) => throw new NotSupportedException();
    }
}
