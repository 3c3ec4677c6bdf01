using Edge.Sdk;

namespace Edge.Services.ObjectStorage;

/// <summary>What <c>ctx.Storage(name)</c> returns: the service's bucket, with every call bound to the request's cancellation.</summary>
internal sealed class ObjectStorageHandle(S3Service service, Context context) : IObjectStorage
{
    public string Bucket => service.Bucket;

    public Task PutAsync(string key, byte[] data, string? contentType = null) =>
        service.PutAsync(key, data, contentType, context.RequestAborted);

    public Task PutAsync(string key, Stream data, string? contentType = null) =>
        service.PutAsync(key, data, contentType, context.RequestAborted);

    public Task<byte[]?> GetAsync(string key) => service.GetAsync(key, context.RequestAborted);

    public Task<IReadOnlyList<StorageObject>> ListAsync(string? prefix = null) => service.ListAsync(prefix, context.RequestAborted);

    public Task<bool> DeleteAsync(string key) => service.DeleteAsync(key, context.RequestAborted);

    public Task<string> PresignedUrlAsync(string key, int seconds) => service.PresignedUrlAsync(key, seconds);
}
