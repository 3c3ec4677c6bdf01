namespace Edge.Sdk;

/// <summary>
/// Objects in the bucket of a <c>minio</c> service (any S3-compatible store), from <see cref="Context.Storage"/>.
/// Failures throw <see cref="HandlerError"/>: 503 when the store cannot be reached, is saturated or is not
/// active, 504 on a call timeout, 500 (<see cref="HandlerError.StorageError"/>) for an error the store reported.
/// </summary>
public interface IObjectStorage
{
    /// <summary>The bucket this handle reads and writes.</summary>
    string Bucket { get; }

    /// <summary>Stores <paramref name="data"/> under <paramref name="key"/> (content type application/octet-stream unless given).</summary>
    Task PutAsync(string key, byte[] data, string? contentType = null);

    /// <summary>Stores the rest of <paramref name="data"/> under <paramref name="key"/>.</summary>
    Task PutAsync(string key, Stream data, string? contentType = null);

    /// <summary>The object's bytes, or null when there is no such object.</summary>
    Task<byte[]?> GetAsync(string key);

    /// <summary>The objects whose keys start with <paramref name="prefix"/> (all when null), in key order.</summary>
    Task<IReadOnlyList<StorageObject>> ListAsync(string? prefix = null);

    /// <summary>Removes the object; true when it existed.</summary>
    Task<bool> DeleteAsync(string key);

    /// <summary>A URL anyone can GET the object with for the next <paramref name="seconds"/> seconds, without credentials.</summary>
    Task<string> PresignedUrlAsync(string key, int seconds);
}
