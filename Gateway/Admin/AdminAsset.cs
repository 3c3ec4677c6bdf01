namespace Edge.Gateway.Admin;

/// <summary>
/// One file of the admin page, with its gzip and Brotli variants (null when compressing does not make it smaller)
/// and a strong ETag per variant (the same bytes in another encoding are another representation).
/// </summary>
internal sealed record AdminAsset(
    string Path, string ContentType, byte[] Body, string ETag, byte[]? Gzip, string? GzipETag, byte[]? Brotli, string? BrotliETag);
