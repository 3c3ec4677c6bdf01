using Edge.Sdk;
using Edge.Services;
using Edge.Services.ObjectStorage;

namespace Edge.Gateway.Uploads;

/// <summary>
/// Files in the bucket of a <c>minio</c> service, found by name at each request (so the service can be edited, stopped
/// and started): <c>stream/ID</c> holds the bytes, <c>stream/ID.json</c> the metadata, put only once the data is
/// complete. Uploads go up as S3 multipart uploads of fixed-size parts (one part in memory at a time); downloads
/// stream the object's body through with its Content-Length.
/// </summary>
internal sealed class S3StreamStore(string serviceName, ServiceManager services) : IStreamStore
{
    public const string KeyPrefix = "stream/";

    public async Task SaveAsync(string id, string contentType, LimitedBodyStream body, Func<StoredFile> metadata, long? expectedLength, CancellationToken aborted)
    {
        var s3 = Service();
        var metadataKey = MetadataKey(id);
        await s3.PutStreamingAsync(DataKey(id), body, contentType, aborted);
        await s3.PutAsync(metadataKey, metadata().ToJson(), "application/json", aborted);
    }

    public async Task<StoredFile?> MetadataAsync(string id, CancellationToken aborted)
    {
        var json = await Service().GetAsync(MetadataKey(id), aborted);
        return json is null ? null : StoredFile.FromJson(json);
    }

    public async Task SendAsync(HttpContext http, StoredFile file, string requestId)
    {
        using var found = await Service().OpenAsync(DataKey(file.Id), http.RequestAborted);
        if (found is null)
        {
            await ResponseWriter.WriteErrorAsync(http, 404, $"no file with id '{file.Id}'", requestId);
            return;
        }

        var response = http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = file.ContentType;
        response.ContentLength = found.ContentLength >= 0 ? found.ContentLength : file.Size;
        response.Headers.ContentDisposition = StreamFileNames.ContentDisposition(file.FileName);
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.ETag = "\"" + file.Sha256 + "\"";
        if (HttpMethods.IsHead(http.Request.Method))
        {
            return;
        }

        try
        {
            await found.ResponseStream.CopyToAsync(response.Body, 64 * 1024, http.RequestAborted);
        }
        catch (Exception) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away.
        }
        catch (Exception) when (response.HasStarted)
        {
            // Part of the body is out and the store failed: cutting the connection is the only honest signal.
            http.Abort();
        }
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken aborted)
    {
        var s3 = Service();

        // Metadata first: from then on the file is gone for readers, even if removing its bytes fails.
        var existed = await s3.DeleteAsync(MetadataKey(id), aborted);
        await s3.DeleteAsync(DataKey(id), aborted);
        return existed;
    }

    private static string DataKey(string id) => KeyPrefix + id;

    private static string MetadataKey(string id) => KeyPrefix + id + ".json";

    private S3Service Service() =>
        services.Directory.ByName.TryGetValue(serviceName, out var instance)
            ? instance as S3Service ?? throw HandlerError.ServiceUnavailable(
                $"stream storage: service '{serviceName}' is a {instance.Type} service, not minio (S3)")
            : throw HandlerError.ServiceUnavailable($"stream storage: service '{serviceName}' is not active");
}
