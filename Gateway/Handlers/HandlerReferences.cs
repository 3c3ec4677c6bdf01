using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;

namespace Edge.Gateway.Handlers;

/// <summary>
/// The metadata references every handler compiles against, built once per process. Metadata comes from the
/// loaded assemblies' raw images, never from files: in a single-file build Assembly.Location is empty.
/// </summary>
internal static class HandlerReferences
{
    // What a handler may use; loaded first because raw metadata only exists for loaded assemblies.
    private static readonly string[] AllowList =
    [
        "System.Runtime", "System.Private.CoreLib", "netstandard", "System.Collections", "System.Collections.Concurrent",
        "System.Linq", "System.Linq.Expressions", "System.Memory", "System.Text.Json", "System.Text.Encodings.Web",
        "System.Text.RegularExpressions", "System.Threading", "System.Threading.Tasks", "System.Net.Http",
        "System.Net.Primitives", "System.Private.Uri", "System.Console", "System.ComponentModel.Primitives",
        "System.ComponentModel", "System.ObjectModel", "System.Runtime.InteropServices", "System.Runtime.Numerics",
        "System.Security.Cryptography", "System.Web.HttpUtility", "System.Collections.Immutable", "System.Buffers",
        "System.Diagnostics.DiagnosticSource", "System.Runtime.Intrinsics", "System.IO.Compression", "Microsoft.CSharp",
        "Microsoft.AspNetCore.Http.Abstractions", "Microsoft.AspNetCore.Http.Features", "Microsoft.Extensions.Primitives",
    ];

    private static readonly Lazy<ImmutableArray<MetadataReference>> LazyAll = new(Build, LazyThreadSafetyMode.ExecutionAndPublication);

    public static ImmutableArray<MetadataReference> All => LazyAll.Value;

    private static ImmutableArray<MetadataReference> Build()
    {
        var assemblies = new Dictionary<string, Assembly>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in AllowList)
        {
            try
            {
                var assembly = Assembly.Load(new AssemblyName(name));
                assemblies[assembly.GetName().Name!] = assembly;
            }
            catch (FileNotFoundException)
            {
                // Not every runtime ships every facade; the rest of the list still makes a usable set.
            }
        }

        // The host's own assembly carries the SDK (its only public types): handler and host share those types.
        var host = typeof(Edge.Sdk.Response).Assembly;
        assemblies[host.GetName().Name!] = host;

        var builder = ImmutableArray.CreateBuilder<MetadataReference>(assemblies.Count);
        foreach (var assembly in assemblies.Values)
        {
            if (RawReference(assembly) is { } reference)
            {
                builder.Add(reference);
            }
        }

        return builder.ToImmutable();
    }

    private static unsafe MetadataReference? RawReference(Assembly assembly)
    {
        if (assembly.IsDynamic || assembly.IsCollectible ||
            !System.Reflection.Metadata.AssemblyExtensions.TryGetRawMetadata(assembly, out var blob, out var length))
        {
            return null;
        }

        // The blob lives as long as the assembly, which is never unloaded (default context).
        return AssemblyMetadata.Create(ModuleMetadata.CreateFromMetadata((IntPtr)blob, length)).GetReference(display: assembly.GetName().Name);
    }
}
