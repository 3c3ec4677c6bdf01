using Microsoft.AspNetCore.StaticFiles;

namespace Edge.Sdk;

/// <summary>The body of a <see cref="Response.File"/>: which file, and which region of it.</summary>
internal sealed record FileBody(string Path, long Offset, long? Length)
{
    private const string DefaultContentType = "application/octet-stream";

    private static readonly FileExtensionContentTypeProvider Types = new();

    /// <summary>The content type for <paramref name="path"/>'s extension, or <c>application/octet-stream</c>.</summary>
    public static string ContentTypeOf(string path) => Types.TryGetContentType(path, out var type) ? type : DefaultContentType;
}
