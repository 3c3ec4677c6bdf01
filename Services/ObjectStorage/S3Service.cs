using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Edge.Sdk;

namespace Edge.Services.ObjectStorage;

/// <summary>
/// A <c>minio</c> service: one bucket of an S3-compatible store (MinIO, Ceph, Swift s3api, AWS…) through one
/// <see cref="AmazonS3Client"/>. Path-style addressing, SigV4 over a plain (not aws-chunked) body and checksums
/// only where the API requires them, so stores that reject the SDK's newer defaults work too. The SDK neither
/// retries nor logs: the gateway's gate, call timeout and fail-fast own retries and errors, and nothing may
/// print the secret key.
/// </summary>
internal sealed class S3Service : ServiceInstance
{
    /// <summary>The longest a presigned URL may live: SigV4 allows 7 days.</summary>
    public const int MaxPresignSeconds = 604_800;

    /// <summary>Listings stop here: a prefix holding more objects would not fit a response anyway.</summary>
    public const int MaxListed = 100_000;

    /// <summary>
    /// A non-seekable upload goes up in parts of this size (SigV4 signs a whole body, so each part is held in memory
    /// while it is sent: one buffer per upload bounds the memory, whatever the object's size).
    /// </summary>
    public const int PartBytes = 8 * 1024 * 1024;

    /// <summary>S3 allows at most this many parts in one multipart upload.</summary>
    public const int MaxParts = 10_000;

    private readonly AmazonS3Client _client;
    private readonly S3HttpClientFactory _http;
    private readonly Protocol _protocol;

    public S3Service(ServiceDefinition definition, ILogger logger)
        : base(definition, logger)
    {
        var endpoint = S3Endpoint.Parse(ServiceConfig.RequiredString(Config, "endpoint"), ServiceConfig.Bool(Config, "use_ssl"));
        Bucket = CheckBucket(ServiceConfig.RequiredString(Config, "bucket"));
        Region = ServiceConfig.String(Config, "region") ?? "us-east-1";
        _protocol = endpoint.Scheme == "https" ? Protocol.HTTPS : Protocol.HTTP;
        _http = new S3HttpClientFactory(TlsTrust.From(Config), TimeSpan.FromMilliseconds(Limits.CallTimeoutMs));
        var config = new AmazonS3Config
        {
            ServiceURL = endpoint.GetLeftPart(UriPartial.Authority),
            AuthenticationRegion = Region,
            ForcePathStyle = true,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            MaxErrorRetry = 0,
            DisableLogging = true,
            Timeout = TimeSpan.FromMilliseconds(Limits.CallTimeoutMs),
            HttpClientFactory = _http,
        };
        var credentials = new BasicAWSCredentials(
            ServiceConfig.RequiredString(Config, "access_key"), ServiceConfig.RequiredString(Config, "secret_key"));
        _client = new AmazonS3Client(credentials, config);
    }

    public string Bucket { get; }

    public string Region { get; }

    public override T? CreateHandle<T>(Context context)
        where T : class =>
        typeof(T) == typeof(IObjectStorage) ? (T)(object)new ObjectStorageHandle(this, context) : null;

    public Task PutAsync(string key, byte[] data, string? contentType, CancellationToken aborted)
    {
        ArgumentNullException.ThrowIfNull(data);
        ObjectKeys.CheckKey(key);
        return SendAsync(key, new MemoryStream(data, writable: false), ObjectKeys.ContentType(contentType), ownsBody: true, aborted);
    }

    public async Task PutAsync(string key, Stream data, string? contentType, CancellationToken aborted)
    {
        ArgumentNullException.ThrowIfNull(data);
        ObjectKeys.CheckKey(key);
        var type = ObjectKeys.ContentType(contentType);
        if (data.CanSeek)
        {
            await SendAsync(key, data, type, ownsBody: false, aborted);
            return;
        }

        await PutStreamingAsync(key, data, type, aborted);
    }

    /// <summary>
    /// Uploads a stream of unknown length holding at most one part (<see cref="PartBytes"/>) in memory: a single PUT
    /// when it fits one part, else a multipart upload, aborted when anything fails so no partial object is left.
    /// Each part is read from the source before its call's clock starts: the source may be a slow client, not the store.
    /// </summary>
    public async Task PutStreamingAsync(string key, Stream data, string contentType, CancellationToken aborted)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(PartBytes);
        var filled = await FillAsync(data, buffer, aborted);
        if (filled < PartBytes)
        {
            await SendAsync(key, new MemoryStream(buffer, 0, filled, writable: false), contentType, ownsBody: true, aborted);
            return;
        }

        var started = await RunAsync(cancel => _client.InitiateMultipartUploadAsync(
            new InitiateMultipartUploadRequest { BucketName = Bucket, Key = key, ContentType = contentType }, cancel), aborted);
        var uploadId = started.UploadId;
        try
        {
            var parts = new List<PartETag>();
            while (filled > 0)
            {
                if (parts.Count == MaxParts)
                {
                    throw HandlerError.PayloadTooLarge(
                        $"service '{Name}': the object would need more than {MaxParts} parts of {PartBytes} bytes");
                }

                var number = parts.Count + 1;
                var length = filled;
                var uploaded = await RunAsync(cancel => _client.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = Bucket,
                    Key = key,
                    UploadId = uploadId,
                    PartNumber = number,
                    PartSize = length,
                    InputStream = new MemoryStream(buffer, 0, length, writable: false),
                    UseChunkEncoding = false,
                }, cancel), aborted);
                parts.Add(new PartETag(number, uploaded.ETag));
                filled = filled < PartBytes ? 0 : await FillAsync(data, buffer, aborted);
            }

            await RunAsync(cancel => _client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = Bucket,
                Key = key,
                UploadId = uploadId,
                PartETags = parts,
            }, cancel), aborted);
        }
        catch
        {
            await AbortQuietlyAsync(key, uploadId);
            throw;
        }
    }

    /// <summary>The object's bytes, or null when the bucket has no such key.</summary>
    public Task<byte[]?> GetAsync(string key, CancellationToken aborted)
    {
        ObjectKeys.CheckKey(key);
        return RunAsync(async cancel =>
        {
            try
            {
                using var response = await _client.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = key }, cancel);
                return await ReadAllAsync(key, response, cancel);
            }
            catch (AmazonS3Exception ex) when (IsNoSuchKey(ex))
            {
                return null;
            }
        }, aborted);
    }

    /// <summary>
    /// The object as a stream for the admin download route (null when missing). Only the request holds a slot of
    /// the gate: the body is copied afterwards, at the client's pace. The caller disposes the response.
    /// </summary>
    public Task<GetObjectResponse?> OpenAsync(string key, CancellationToken aborted)
    {
        ObjectKeys.CheckKey(key);
        return RunAsync<GetObjectResponse?>(async cancel =>
        {
            try
            {
                var response = await _client.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = key }, cancel);
                if (cancel.IsCancellationRequested)
                {
                    // The caller has given up (timeout): nobody would dispose it.
                    response.Dispose();
                    cancel.ThrowIfCancellationRequested();
                }

                return response;
            }
            catch (AmazonS3Exception ex) when (IsNoSuchKey(ex))
            {
                return null;
            }
        }, aborted);
    }

    /// <summary>Every object under <paramref name="prefix"/>, following continuation tokens, sorted by key (ordinal).</summary>
    public Task<IReadOnlyList<StorageObject>> ListAsync(string? prefix, CancellationToken aborted)
    {
        ObjectKeys.CheckPrefix(prefix);
        return RunAsync<IReadOnlyList<StorageObject>>(async cancel =>
        {
            var objects = new List<StorageObject>();
            string? token = null;
            do
            {
                var page = await _client.ListObjectsV2Async(new ListObjectsV2Request
                {
                    BucketName = Bucket,
                    Prefix = string.IsNullOrEmpty(prefix) ? null : prefix,
                    ContinuationToken = token,
                }, cancel);
                foreach (var o in page.S3Objects ?? [])
                {
                    objects.Add(new StorageObject(o.Key, o.Size ?? 0, ToUtc(o.LastModified)));
                }

                if (objects.Count > MaxListed)
                {
                    throw HandlerError.StorageError(
                        $"service '{Name}': more than {MaxListed} objects under prefix '{prefix}': list a narrower prefix");
                }

                token = page.IsTruncated == true ? page.NextContinuationToken : null;
            }
            while (!string.IsNullOrEmpty(token));

            objects.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
            return objects;
        }, aborted);
    }

    /// <summary>
    /// Deletes the object; true when it existed. S3 answers a DELETE the same whether or not the key was there,
    /// so a HEAD asks first (a writer racing between the two can make the answer stale). The DELETE is sent
    /// either way: it reports a missing bucket, which a HEAD cannot tell from a missing key.
    /// </summary>
    public Task<bool> DeleteAsync(string key, CancellationToken aborted)
    {
        ObjectKeys.CheckKey(key);
        return RunAsync(async cancel =>
        {
            bool existed;
            try
            {
                await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Bucket, Key = key }, cancel);
                existed = true;
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                existed = false;
            }

            await _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Bucket, Key = key }, cancel);
            return existed;
        }, aborted);
    }

    /// <summary>A presigned GET URL; computed locally (no round trip), so it works even while the store is down.</summary>
    public async Task<string> PresignedUrlAsync(string key, int seconds)
    {
        ObjectKeys.CheckKey(key);
        if (seconds is < 1 or > MaxPresignSeconds)
        {
            throw HandlerError.BadRequest($"presigned URL lifetime must be 1 to {MaxPresignSeconds} seconds (7 days), got {seconds}");
        }

        if (Retired)
        {
            throw HandlerError.ServiceUnavailable($"service '{Name}' is not active");
        }

        try
        {
            return await _client.GetPreSignedURLAsync(new GetPreSignedUrlRequest
            {
                BucketName = Bucket,
                Key = key,
                Verb = HttpVerb.GET,
                Protocol = _protocol,
                Expires = DateTime.UtcNow.AddSeconds(seconds),
            });
        }
        catch (Exception ex) when (ex is not HandlerError)
        {
            throw Failed(ex);
        }
    }

    /// <summary>Lists at most one key of the bucket: proves the address, the credentials and the bucket in one round trip.</summary>
    public override async Task<string> ProbeAsync(CancellationToken cancel)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await _client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, MaxKeys = 1 }, cancel);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancel.IsCancellationRequested)
        {
            throw IsUnavailable(ex) ? new HandlerError(503, $"service '{Name}' is unavailable: {Describe(ex)}", ex) : Failed(ex);
        }

        return $"bucket '{Bucket}' reachable ({Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms)";
    }

    public override ValueTask DisposeAsync()
    {
        _client.Dispose();
        _http.Dispose();
        return ValueTask.CompletedTask;
    }

    protected override bool IsUnavailable(Exception error)
    {
        if (error is AmazonServiceException { StatusCode: HttpStatusCode.ServiceUnavailable or HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout })
        {
            // 503 SlowDown / ServiceUnavailable, or a proxy in front of the store that cannot reach it.
            return true;
        }

        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException or SocketException or IOException or TimeoutException or OperationCanceledException)
            {
                return true;
            }
        }

        return false;
    }

    protected override HandlerError Failed(Exception error)
    {
        if (error is AmazonServiceException service)
        {
            var code = string.IsNullOrEmpty(service.ErrorCode) ? service.StatusCode.ToString() : service.ErrorCode;

            // HEAD answers carry no body: the SDK then makes up a long sentence with nothing in it.
            var message = service.Message.StartsWith("Error making request with Error Code", StringComparison.Ordinal)
                ? service.StatusCode == HttpStatusCode.Forbidden
                    ? "HTTP 403 to a HEAD request, which carries no details: wrong access_key/secret_key, or no access to the bucket"
                    : $"HTTP {(int)service.StatusCode} to a HEAD request, which carries no details"
                : service.Message.TrimEnd('.');
            if (code == "NoSuchBucket")
            {
                message += $" (bucket '{Bucket}')";
            }

            return new HandlerError(500, $"service '{Name}': {code}: {message}", error);
        }

        return new HandlerError(500, $"service '{Name}': {error.Message}", error);
    }

    private async Task SendAsync(string key, Stream body, string contentType, bool ownsBody, CancellationToken aborted)
    {
        try
        {
            await RunAsync(cancel => _client.PutObjectAsync(new PutObjectRequest
            {
                BucketName = Bucket,
                Key = key,
                InputStream = body,
                ContentType = contentType,
                UseChunkEncoding = false,

                // "the rest of the stream": from where the caller left it, and the caller's stream stays open.
                AutoResetStreamPosition = false,
                AutoCloseStream = false,
            }, cancel), aborted);
        }
        finally
        {
            if (ownsBody)
            {
                await body.DisposeAsync();
            }
        }
    }

    private async Task<byte[]> ReadAllAsync(string key, GetObjectResponse response, CancellationToken cancel)
    {
        var length = response.ContentLength;
        if (length > Array.MaxLength)
        {
            throw HandlerError.StorageError(
                $"service '{Name}': object '{key}' is {length} bytes, more than fits in memory: hand out a presigned URL instead");
        }

        if (length >= 0)
        {
            var bytes = new byte[length];
            await response.ResponseStream.ReadExactlyAsync(bytes, cancel);
            return bytes;
        }

        using var buffer = new MemoryStream();
        await response.ResponseStream.CopyToAsync(buffer, cancel);
        return buffer.ToArray();
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the stream ends; the count read.</summary>
    private static async Task<int> FillAsync(Stream data, byte[] buffer, CancellationToken aborted)
    {
        var filled = 0;
        int read;
        while (filled < buffer.Length && (read = await data.ReadAsync(buffer.AsMemory(filled), aborted)) > 0)
        {
            filled += read;
        }

        return filled;
    }

    /// <summary>Best effort: the store drops the parts of a failed multipart upload (a lifecycle rule catches any it misses).</summary>
    private async Task AbortQuietlyAsync(string key, string uploadId)
    {
        try
        {
            using var timeout = new CancellationTokenSource(Limits.CallTimeoutMs);
            await _client.AbortMultipartUploadAsync(
                new AbortMultipartUploadRequest { BucketName = Bucket, Key = key, UploadId = uploadId }, timeout.Token);
        }
        catch (Exception ex) when (ex is AmazonServiceException or HttpRequestException or IOException or OperationCanceledException or SocketException)
        {
            // The upload failed already; that error is the one to report.
        }
    }

    private static bool IsNoSuchKey(AmazonS3Exception ex) => ex.StatusCode == HttpStatusCode.NotFound && ex.ErrorCode == "NoSuchKey";

    private static DateTimeOffset ToUtc(DateTime? time) => time switch
    {
        null => DateTimeOffset.UnixEpoch,
        { Kind: DateTimeKind.Utc } t => new DateTimeOffset(t),
        { Kind: DateTimeKind.Local } t => new DateTimeOffset(t.ToUniversalTime()),
        { } t => new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)),
    };

    private static string CheckBucket(string bucket) =>
        bucket.Length <= 255 && !bucket.Any(c => c == '/' || char.IsWhiteSpace(c) || char.IsControl(c))
            ? bucket
            : throw new InvalidOperationException($"config.bucket: '{bucket}' is not a bucket name (no '/', spaces or control characters)");
}
