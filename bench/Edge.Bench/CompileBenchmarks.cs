using BenchmarkDotNet.Attributes;
using Edge.Gateway.Handlers;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Bench;

/// <summary>
/// Compiling a small handler once the compiler is warm (references built, Roslyn jitted), against loading the
/// same image from the compile cache as a restart does. Issue target: a warm compile under 100 ms.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class CompileBenchmarks
{
    private const string Source = """
        Response Handle(Context ctx, Request req)
        {
            var name = req.Query.TryGetValue("name", out var n) ? n : "world";
            return Response.Ok(new { message = $"hello {name}", path = req.Path });
        }
        """;

    private string _cacheDirectory = "";
    private HandlerCompiler _compiler = null!;
    private int _counter;

    [GlobalSetup]
    public void Setup()
    {
        _cacheDirectory = Directory.CreateTempSubdirectory("edge-bench-").FullName;
        _compiler = new HandlerCompiler(new CompileCache(_cacheDirectory), NullLogger<HandlerCompiler>.Instance);

        // Writes the cache entry CacheHit reads (the cache is empty, so this compiles and stores).
        if (_compiler.Compile(Source).FromCache)
        {
            throw new InvalidOperationException("a fresh cache directory answered a hit");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_cacheDirectory, recursive: true);

    /// <summary>A full parse, bind and emit, cache bypassed; a unique comment makes every source new all the same.</summary>
    [Benchmark(Baseline = true)]
    public byte[] WarmCompile() => _compiler.Compile(Source + "\n// " + _counter++, useCache: false).Image;

    /// <summary>A restart: the image read back from the cache by its hash.</summary>
    [Benchmark]
    public byte[] CacheHit()
    {
        var compiled = _compiler.Compile(Source);
        return compiled.FromCache ? compiled.Image : throw new InvalidOperationException("expected a cache hit");
    }
}
