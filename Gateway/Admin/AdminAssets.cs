using System.Collections.Frozen;
using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;

namespace Edge.Gateway.Admin;

/// <summary>
/// The admin page's files, read once at start from the resources embedded in the binary (wwwroot/admin, named
/// <c>admin/RELATIVE/PATH</c>) and compressed once. PERF: a request is a dictionary lookup and a copy of bytes.
/// Only the embedded names can be served, so no request path ever reaches the file system.
/// </summary>
internal sealed class AdminAssets
{
    public const string ResourcePrefix = "admin/";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".mjs"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".json"] = "application/json; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".ico"] = "image/x-icon",
        [".txt"] = "text/plain; charset=utf-8",
        [".map"] = "application/json; charset=utf-8",
        [".woff2"] = "font/woff2",
        [".webmanifest"] = "application/manifest+json",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>Types that are already compressed: gzip or Brotli would only cost time.</summary>
    private static readonly FrozenSet<string> Precompressed = new[] { "image/png", "font/woff2" }.ToFrozenSet();

    private readonly FrozenDictionary<string, AdminAsset> _assets;

    public AdminAssets(IEnumerable<(string Path, byte[] Body)> files)
    {
        _assets = files.Select(f => Build(f.Path, f.Body)).ToFrozenDictionary(a => a.Path, StringComparer.Ordinal);
    }

    /// <summary>The files embedded in edge's own assembly.</summary>
    public static AdminAssets FromAssembly(Assembly assembly)
    {
        var files = new List<(string, byte[])>();
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            files.Add((name[ResourcePrefix.Length..].Replace('\\', '/'), copy.ToArray()));
        }

        return new AdminAssets(files);
    }

    public int Count => _assets.Count;

    public IEnumerable<string> Paths => _assets.Keys;

    /// <summary>The asset at <paramref name="relative"/> (the path under <c>/admin/</c>, "" for index.html), or null.</summary>
    public AdminAsset? Find(string relative) =>
        _assets.GetValueOrDefault(relative.Length == 0 || relative.EndsWith('/') ? relative + "index.html" : relative);

    /// <summary>The content type edge sends for a file name (application/octet-stream when unknown).</summary>
    public static string ContentTypeOf(string path) =>
        ContentTypes.GetValueOrDefault(Path.GetExtension(path), "application/octet-stream");

    private static AdminAsset Build(string path, byte[] body)
    {
        var type = ContentTypeOf(path);
        var tag = Tag(body);
        if (Precompressed.Contains(type))
        {
            return new AdminAsset(path, type, body, tag, null, null, null, null);
        }

        var gzip = Smaller(Compress(body, s => new GZipStream(s, CompressionLevel.SmallestSize)), body);
        var brotli = Smaller(Compress(body, s => new BrotliStream(s, CompressionLevel.SmallestSize)), body);
        return new AdminAsset(path, type, body, tag, gzip, gzip is null ? null : Suffix(tag, "gz"), brotli, brotli is null ? null : Suffix(tag, "br"));
    }

    private static byte[]? Smaller(byte[] compressed, byte[] body) => compressed.Length < body.Length ? compressed : null;

    private static byte[] Compress(byte[] body, Func<Stream, Stream> wrap)
    {
        using var output = new MemoryStream();
        using (var compressor = wrap(output))
        {
            compressor.Write(body);
        }

        return output.ToArray();
    }

    private static string Tag(byte[] body) =>
        "\"" + Convert.ToBase64String(SHA256.HashData(body), 0, 16).TrimEnd('=').Replace('+', '-').Replace('/', '_') + "\"";

    private static string Suffix(string tag, string encoding) => tag[..^1] + "-" + encoding + "\"";
}
