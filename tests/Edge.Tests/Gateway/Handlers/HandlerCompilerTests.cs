using Edge.Gateway.Handlers;
using Edge.Sdk;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Tests.Gateway.Handlers;

public sealed class HandlerCompilerTests : IDisposable
{
    private readonly string _cacheDir = Path.Combine(Path.GetTempPath(), "edge-compiler-" + Guid.NewGuid().ToString("N"));
    private readonly HandlerCompiler _compiler;

    public HandlerCompilerTests() => _compiler = new HandlerCompiler(new CompileCache(_cacheDir), NullLogger<HandlerCompiler>.Instance);

    private static async Task<Response> RunAsync(CompiledHandler compiled, Request request)
    {
        var version = HandlerVersion.Load("e", 1, compiled);
        return await version.Invoke(new Context(), request);
    }

    [Fact]
    public async Task Compile_TopLevelWithUsingsAndRecordBefore_Runs()
    {
        var compiled = _compiler.Compile("""
            using System.Text;

            record Greeting(string Text);

            static string Shout(string s) => s.ToUpperInvariant();

            Response Handle(Context ctx, Request req) => Response.Ok(new Greeting(Shout(new StringBuilder("hi").ToString())));
            """);

        var response = await RunAsync(compiled, new Request("GET", "/"));

        response.Status.ShouldBe(200);
        response.Body.ShouldNotBeNull().ToString().ShouldBe("Greeting { Text = HI }");
    }

    [Fact]
    public async Task Compile_ClassFormInNamespace_Runs()
    {
        var compiled = _compiler.Compile("""
            namespace My.Handlers;

            public sealed class Users
            {
                public ValueTask<Response> Handle(Context ctx, Request req) => ValueTask.FromResult(Response.Text(201, req.Path));
            }
            """);

        var response = await RunAsync(compiled, new Request("GET", "/users"));

        response.Status.ShouldBe(201);
        response.Body.ShouldBe("/users");
    }

    [Fact]
    public void Compile_ErrorOnUserLine_ReportsUserLineAndColumn()
    {
        var error = Should.Throw<CompileFailedException>(() => _compiler.Compile("""
            using System.Text;

            Response Handle(Context ctx, Request req)
            {
                int x = "text";
                return Response.Ok(x);
            }
            """));

        var d = error.Diagnostics.ShouldHaveSingleItem();
        (d.Line, d.Column, d.Id).ShouldBe((5, 13, "CS0029"));
    }

    [Fact]
    public void Compile_MissingClosingBrace_StaysWithinUserLines()
    {
        var error = Should.Throw<CompileFailedException>(() => _compiler.Compile("Response Handle(Context ctx, Request req)\n{\n    return Response.Ok(1);\n"));

        error.Diagnostics.ShouldAllBe(d => d.Line >= 1 && d.Line <= 4);
    }

    [Theory]
    [InlineData("Response Run(Context ctx, Request req) => Response.Ok(1);", "no Handle")]
    [InlineData("Response Handle(Request req) => Response.Ok(1);", "must be declared as Handle(Context ctx, Request req)")]
    [InlineData("string Handle(Context ctx, Request req) => \"x\";", "must be declared as")]
    [InlineData("", "empty")]
    public void Compile_NoUsableEntryPoint_Explains(string source, string expected)
    {
        var error = Should.Throw<CompileFailedException>(() => _compiler.Compile(source));

        error.Message.ShouldContain(expected);
    }

    [Fact]
    public void Compile_SameSourceTwice_SecondComesFromDiskCache()
    {
        const string Source = "Response Handle(Context ctx, Request req) => Response.NoContent();";
        var first = _compiler.Compile(Source);
        var again = new HandlerCompiler(new CompileCache(_cacheDir), NullLogger<HandlerCompiler>.Instance).Compile(Source);

        first.FromCache.ShouldBeFalse();
        again.FromCache.ShouldBeTrue();
        again.Hash.ShouldBe(first.Hash);
        again.Image.ShouldBe(first.Image);
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
