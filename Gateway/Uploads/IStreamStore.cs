namespace Edge.Gateway.Uploads;

/// <summary>
/// The storage behind the <c>/stream</c> routes. Failures come out as <see cref="Edge.Sdk.HandlerError"/>s carrying the
/// status to answer (413 too large, 503 storage unavailable, 507 out of space, 500 otherwise).
/// </summary>
internal interface IStreamStore
{
    /// <summary>Streams <paramref name="body"/> into a new file <paramref name="id"/>; the data is complete before its metadata is written.</summary>
    Task SaveAsync(string id, string contentType, LimitedBodyStream body, Func<StoredFile> metadata, long? expectedLength, CancellationToken aborted);

    /// <summary>The file's metadata; null when there is no complete file <paramref name="id"/>.</summary>
    Task<StoredFile?> MetadataAsync(string id, CancellationToken aborted);

    /// <summary>Answers a download of <paramref name="file"/> (status, headers and body).</summary>
    Task SendAsync(HttpContext http, StoredFile file, string requestId);

    /// <summary>Removes the file; false when there was none.</summary>
    Task<bool> DeleteAsync(string id, CancellationToken aborted);
}
