using System.Diagnostics;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Edge.Gateway.Hosting;
using Edge.Sdk;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Emit;
using Microsoft.CodeAnalysis.Text;

namespace Edge.Gateway.Handlers;

/// <summary>
/// Turns one handler source text into an in-memory assembly image. Top-level (script-style) handlers are
/// wrapped in a class with <c>#line</c> directives, so every diagnostic points at the user's own line and column.
/// </summary>
internal sealed partial class HandlerCompiler(CompileCache cache, ILogger<HandlerCompiler> logger)
{
    public const string SourcePath = "handler.cs";
    public const string WrapperTypeName = "__EdgeHandler";

    // Bump when the wrapping or options change: it is part of the cache key.
    private const string WrapperVersion = "1";

    private static readonly string CompilerVersion =
        typeof(CSharpCompilation).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(CSharpCompilation).Assembly.GetName().Version?.ToString() ?? "unknown";

    private static readonly CSharpParseOptions RegularOptions = new(LanguageVersion.Latest, kind: SourceCodeKind.Regular);
    private static readonly CSharpParseOptions ScriptOptions = new(LanguageVersion.Latest, kind: SourceCodeKind.Script);

    private static readonly CSharpCompilationOptions CompilationOptions = new(
        OutputKind.DynamicallyLinkedLibrary,
        optimizationLevel: OptimizationLevel.Release,
        nullableContextOptions: NullableContextOptions.Enable,
        deterministic: true);

    private static readonly EmitOptions EmitOptions = new(debugInformationFormat: DebugInformationFormat.PortablePdb, pdbFilePath: "handler.pdb");

    // The usual implicit usings plus the SDK, as one parsed tree shared by every compile.
    private static readonly SyntaxTree ImplicitUsings = CSharpSyntaxTree.ParseText(
        """
        global using System;
        global using System.Collections.Generic;
        global using System.Linq;
        global using System.Text.Json;
        global using System.Text.Json.Nodes;
        global using System.Threading.Tasks;
        global using Edge.Sdk;
        """, RegularOptions, path: "implicit-usings.cs", encoding: Encoding.UTF8);

    private static readonly string[] AcceptedReturnTypes =
    [
        "Edge.Sdk.Response",
        "System.Threading.Tasks.Task<Edge.Sdk.Response>",
        "System.Threading.Tasks.ValueTask<Edge.Sdk.Response>",
    ];

    public static string HashOf(string source)
    {
        var key = string.Join('\0', source, SdkInfo.Version, CompilerVersion, WrapperVersion, EdgeVersion.Current);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
    }

    /// <summary>
    /// Compiles a throwaway handler so that Roslyn's code is jitted before the first real compile (which
    /// would otherwise take a second or more on a small machine). Run in the background after start.
    /// </summary>
    public void WarmUp()
    {
        try
        {
            Compile("Response Handle(Context ctx, Request req) => Response.Ok(new { warm = true });", useCache: false);
        }
        catch (CompileFailedException)
        {
            // Nothing to warm with; the first real compile pays instead.
        }
    }

    /// <summary>Compiles (or takes from the cache) and returns the image; throws <see cref="CompileFailedException"/>.</summary>
    public CompiledHandler Compile(string source, bool useCache = true)
    {
        var started = Stopwatch.GetTimestamp();
        var hash = HashOf(source);
        if (useCache && cache.TryLoad(hash, out var cachedImage, out var cachedSymbols))
        {
            return new CompiledHandler(hash, cachedImage, cachedSymbols, FromCache: true,
                Stopwatch.GetElapsedTime(started).TotalMilliseconds, []);
        }

        if (string.IsNullOrWhiteSpace(source))
        {
            throw new CompileFailedException([new CompileDiagnostic(1, 1, "error", "EDGE001", "the handler code is empty")]);
        }

        var text = SourceText.From(source, Encoding.UTF8);
        var userTree = ParseUserSource(text);
        var compilation = CSharpCompilation.Create(
            "edge-handler-" + hash[..16],
            [ImplicitUsings, userTree],
            HandlerReferences.All,
            CompilationOptions);

        var userLineCount = text.Lines.Count;
        var diagnostics = new List<CompileDiagnostic>();
        foreach (var d in compilation.GetDiagnostics())
        {
            if (d.Severity >= DiagnosticSeverity.Warning)
            {
                diagnostics.Add(ToDiagnostic(d, userLineCount));
            }
        }

        if (!diagnostics.Any(d => d.Severity == "error"))
        {
            diagnostics.AddRange(CheckEntryPoint(compilation, userLineCount));
        }

        if (diagnostics.Any(d => d.Severity == "error"))
        {
            throw new CompileFailedException(Sorted(diagnostics));
        }

        using var image = new MemoryStream();
        using var symbols = new MemoryStream();
        var result = compilation.Emit(image, symbols, options: EmitOptions);
        if (!result.Success)
        {
            throw new CompileFailedException(Sorted(result.Diagnostics
                .Where(d => d.Severity == DiagnosticSeverity.Error)
                .Select(d => ToDiagnostic(d, userLineCount))));
        }

        var imageBytes = image.ToArray();
        var symbolBytes = symbols.ToArray();
        try
        {
            if (useCache)
            {
                cache.Store(hash, imageBytes, symbolBytes);
            }
        }
        catch (IOException ex)
        {
            // A full or read-only disk costs a recompile at the next start, nothing more.
            Log.CacheWriteFailed(logger, hash, ex.Message);
        }

        return new CompiledHandler(hash, imageBytes, symbolBytes, FromCache: false,
            Stopwatch.GetElapsedTime(started).TotalMilliseconds, Sorted(diagnostics));
    }

    /// <summary>
    /// A source with top-level methods (script style) is wrapped: its using directives stay first, the rest goes
    /// inside a class, and a <c>#line</c> directive keeps line numbers those of the user's text.
    /// </summary>
    private static SyntaxTree ParseUserSource(SourceText text)
    {
        var script = (CompilationUnitSyntax)CSharpSyntaxTree.ParseText(text, ScriptOptions).GetRoot();
        // Namespaces, or nothing but type declarations, mean the class form: compile the text as it is.
        var scriptStyle = !script.Members.Any(m => m is BaseNamespaceDeclarationSyntax) &&
                          script.Members.Any(m => m is not BaseTypeDeclarationSyntax and not DelegateDeclarationSyntax);
        if (!scriptStyle)
        {
            return CSharpSyntaxTree.ParseText(text, RegularOptions, path: SourcePath);
        }

        var headerEnd = 0;
        foreach (var node in script.Externs.Cast<SyntaxNode>().Concat(script.Usings).Concat(script.AttributeLists))
        {
            headerEnd = Math.Max(headerEnd, node.Span.End);
        }

        // Split at the start of the line after the header, so every user line keeps its columns.
        var splitLine = headerEnd == 0 ? 0 : text.Lines.GetLineFromPosition(headerEnd).LineNumber + 1;
        var splitAt = splitLine < text.Lines.Count ? text.Lines[splitLine].Start : text.Length;
        var header = text.ToString(new TextSpan(0, splitAt));
        var body = text.ToString(TextSpan.FromBounds(splitAt, text.Length));

        var wrapped = new StringBuilder(text.Length + 128)
            .Append(header)
            .Append(header.Length == 0 || header.EndsWith('\n') ? "" : "\n")
            .Append("public sealed class ").Append(WrapperTypeName).Append(" {\n")
            .Append("#line ").Append(splitLine + 1).Append(" \"").Append(SourcePath).Append("\"\n")
            .Append(body)
            .Append("\n#line hidden\n}\n")
            .ToString();
        return CSharpSyntaxTree.ParseText(wrapped, RegularOptions, path: SourcePath, encoding: Encoding.UTF8);
    }

    private static IEnumerable<CompileDiagnostic> CheckEntryPoint(CSharpCompilation compilation, int userLineCount)
    {
        var candidates = compilation.GetSymbolsWithName("Handle", SymbolFilter.Member).OfType<IMethodSymbol>().ToList();
        var valid = candidates.Where(IsHandlerSignature).ToList();
        if (valid.Count == 1)
        {
            var method = valid[0];
            var type = method.ContainingType;
            if (!method.IsStatic && (type.IsAbstract || !type.InstanceConstructors.Any(c => c.Parameters.Length == 0 && c.DeclaredAccessibility == Accessibility.Public)))
            {
                yield return At(method, userLineCount,
                    $"'{type.Name}.Handle' is an instance method, so '{type.Name}' needs a public parameterless constructor (or make Handle static)");
            }

            if (type.IsGenericType || type.ContainingType is { IsGenericType: true })
            {
                yield return At(method, userLineCount, $"'{type.Name}' must not be generic: edge cannot construct it");
            }

            yield break;
        }

        if (valid.Count > 1)
        {
            yield return At(valid[1], userLineCount, "more than one Handle(Context ctx, Request req) method: keep exactly one");
            yield break;
        }

        if (candidates.Count > 0)
        {
            yield return At(candidates[0], userLineCount,
                "Handle must be declared as Handle(Context ctx, Request req) returning Response, Task<Response> or ValueTask<Response>");
            yield break;
        }

        yield return new CompileDiagnostic(1, 1, "error", "EDGE002",
            "no Handle(Context ctx, Request req) method found: declare one returning Response, Task<Response> or ValueTask<Response>");
    }

    private static bool IsHandlerSignature(IMethodSymbol m) =>
        m.Parameters.Length == 2 &&
        m.TypeParameters.Length == 0 &&
        m.Parameters[0].Type.ToDisplayString() == "Edge.Sdk.Context" &&
        m.Parameters[1].Type.ToDisplayString() == "Edge.Sdk.Request" &&
        m.Parameters.All(p => p.RefKind == RefKind.None) &&
        AcceptedReturnTypes.Contains(m.ReturnType.ToDisplayString());

    private static CompileDiagnostic At(IMethodSymbol method, int userLineCount, string message)
    {
        var location = method.Locations.FirstOrDefault(l => l.IsInSource);
        var (line, column) = location is null ? (1, 1) : Position(location, userLineCount);
        return new CompileDiagnostic(line, column, "error", "EDGE003", message);
    }

    private static CompileDiagnostic ToDiagnostic(Diagnostic d, int userLineCount)
    {
        var (line, column) = d.Location.IsInSource ? Position(d.Location, userLineCount) : (1, 1);
        var severity = d.Severity == DiagnosticSeverity.Error ? "error" : "warning";
        return new CompileDiagnostic(line, column, severity, d.Id, d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static (int Line, int Column) Position(Location location, int userLineCount)
    {
        var span = location.GetMappedLineSpan();
        var line = span.StartLinePosition.Line + 1;
        var column = span.StartLinePosition.Character + 1;

        // Errors found at the wrapper's closing brace (a missing '}' in the user's code) land past the last line.
        if (line > userLineCount)
        {
            line = userLineCount;
            column = 1;
        }

        return (Math.Max(1, line), Math.Max(1, column));
    }

    private static List<CompileDiagnostic> Sorted(IEnumerable<CompileDiagnostic> diagnostics) =>
        diagnostics.Distinct().OrderBy(d => d.Severity == "error" ? 0 : 1).ThenBy(d => d.Line).ThenBy(d => d.Column).ToList();

    private static partial class Log
    {
        [LoggerMessage(EventIds.CacheWriteFailed, LogLevel.Warning, "Could not write compile cache entry {Hash}: {Reason}")]
        public static partial void CacheWriteFailed(ILogger logger, string hash, string reason);
    }
}
