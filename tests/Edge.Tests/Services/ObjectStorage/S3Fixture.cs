using System.Net;
using System.Text;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Edge.Tests.Common;

namespace Edge.Tests.Services.ObjectStorage;

/// <summary>
/// A gateway with one active <c>minio</c> service on the real Swift S3 store, and the test's own S3 client on
/// the same bucket: what the gateway writes is read back without it, and the reverse.
/// </summary>
public sealed class S3Fixture : IAsyncLifetime
{
    // Every prefix handed out by Prefix(), emptied when the collection is done.
    private static readonly System.Collections.Concurrent.ConcurrentBag<string> Prefixes = [];

    public EdgeProcess Edge { get; private set; } = null!;

    /// <summary>The test's own client (not the gateway's), with the store's settings from services.env.</summary>
    public AmazonS3Client Client { get; private set; } = null!;

    public static string Bucket => TestServices.Get("S3_BUCKET");

    public static string SecretKey => TestServices.Get("S3_SECRET_KEY");

    /// <summary>The name of the active service every handler of these tests uses.</summary>
    public string Service { get; } = Unique.Name("s3");

    public string ServiceId { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Client = CreateClient(TestServices.Get("S3_ENDPOINT"), SecretKey);
        Edge = await EdgeProcess.StartAsync();
        ServiceId = await Edge.Admin.CreateServiceAsync(TestServices.S3(Service));
    }

    public async Task DisposeAsync()
    {
        if (Client is not null)
        {
            // Also takes "<prefix>-other/…" siblings some tests write on purpose.
            var keys = new List<string>();
            foreach (var prefix in Prefixes)
            {
                keys.AddRange(await KeysAsync(prefix.TrimEnd('/')));
            }

            await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (key, cancel) =>
                await Client.DeleteObjectAsync(Bucket, key, cancel));
        }

        Client?.Dispose();
        if (Edge is not null)
        {
            await Edge.DisposeAsync();
        }
    }

    public static AmazonS3Client CreateClient(string endpoint, string secretKey) => new(
        new BasicAWSCredentials(TestServices.Get("S3_ACCESS_KEY"), secretKey),
        new AmazonS3Config
        {
            ServiceURL = endpoint,
            AuthenticationRegion = TestServices.Get("S3_REGION"),
            ForcePathStyle = true,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            MaxErrorRetry = 0,
        });

    /// <summary>A fresh key prefix (ends with '/') no other test uses.</summary>
    public static string Prefix()
    {
        var prefix = Unique.Name("s3t") + "/";
        Prefixes.Add(prefix);
        return prefix;
    }

    /// <summary>Deploys <paramref name="code"/> on a fresh path; returns the path.</summary>
    public async Task<string> DeployAsync(string code, string method = "GET")
    {
        var path = Unique.Path("s3");
        await Edge.Admin.DeployNewAsync(new EndpointSpec { Path = path, Code = code, Method = method });
        return path;
    }

    /// <summary>Deploys <paramref name="code"/> and calls it once.</summary>
    public async Task<HttpResponseMessage> RunAsync(string code, string method = "GET", byte[]? body = null)
    {
        var path = await DeployAsync(code, method);
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
        }

        return await Edge.Gateway.SendAsync(request);
    }

    /// <summary>Asserts a handler's error answer (<c>{"error": ...}</c>) with <paramref name="status"/>; returns the message.</summary>
    public static async Task<string> ShouldBeErrorAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(status, text);
        return (await response.JsonAsync()).Str("error");
    }

    public async Task PutAsync(string key, string text, string contentType = "text/plain") =>
        await Client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = Bucket,
            Key = key,
            InputStream = new MemoryStream(Encoding.UTF8.GetBytes(text)),
            ContentType = contentType,
            UseChunkEncoding = false,
        });

    /// <summary>The object as the store has it (bytes and content type), or null when it is not there.</summary>
    public async Task<(byte[] Bytes, string ContentType)?> GetAsync(string key)
    {
        try
        {
            using var response = await Client.GetObjectAsync(Bucket, key);
            using var buffer = new MemoryStream();
            await response.ResponseStream.CopyToAsync(buffer);
            return (buffer.ToArray(), response.Headers.ContentType);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task<string?> GetTextAsync(string key) => await GetAsync(key) is { } found ? Encoding.UTF8.GetString(found.Bytes) : null;

    /// <summary>Every key under <paramref name="prefix"/> as the store lists them (all pages), sorted.</summary>
    public async Task<IReadOnlyList<string>> KeysAsync(string prefix)
    {
        var keys = new List<string>();
        string? token = null;
        do
        {
            var page = await Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, Prefix = prefix, ContinuationToken = token });
            keys.AddRange((page.S3Objects ?? []).Select(o => o.Key));
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);

        return [.. keys.Order(StringComparer.Ordinal)];
    }
}
