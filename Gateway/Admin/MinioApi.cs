using System.Net.Http.Headers;
using Edge.Gateway.Config;
using Edge.Sdk;
using Edge.Services;
using Edge.Services.ObjectStorage;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.StaticFiles;

namespace Edge.Gateway.Admin;

/// <summary>
/// <c>/api/minio/objects</c>: list, upload, download and delete objects in the bucket of an active <c>minio</c>
/// service. <c>?service=&lt;name or id&gt;</c> picks the service; without it, the only active one is used.
/// </summary>
internal static class MinioApi
{
    /// <summary>The largest file an upload takes (413 beyond).</summary>
    public const long MaxUploadBytes = 100L * 1024 * 1024;

    // Room for the multipart boundaries, part headers and a key field around the file.
    private const long MultipartOverheadBytes = 64 * 1024;

    private const string ObjectsPath = "/api/minio/objects/";

    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    public static void Map(RouteGroupBuilder api)
    {
        var objects = api.MapGroup("/minio/objects");

        objects.MapGet("/", async (string? prefix, string? service, ServiceManager services, ConfigStore store, HttpContext http) =>
        {
            if (Pick(service, services) is not { } s3)
            {
                return Problem(service, services, store);
            }

            var listed = await Run(() => s3.ListAsync(prefix, http.RequestAborted));
            return listed.Error ?? AdminJson.Ok(new
            {
                s3.Bucket,
                Prefix = prefix ?? "",
                Objects = listed.Value!.Select(o => new { o.Key, o.Size, LastModified = o.LastModified.UtcDateTime }),
            });
        });

        objects.MapPost("/", async (string? service, ServiceManager services, ConfigStore store, HttpContext http) =>
        {
            if (Pick(service, services) is not { } s3)
            {
                return Problem(service, services, store);
            }

            var (file, key, error) = await ReadUploadAsync(http);
            if (error is not null)
            {
                return error;
            }

            var contentType = UploadContentType(file!, key!);
            await using var content = file!.OpenReadStream();
            var stored = await Run(async () =>
            {
                await s3.PutAsync(key!, content, contentType, http.RequestAborted);
                return true;
            });
            return stored.Error ?? AdminJson.Ok(
                new { Key = key, s3.Bucket, Size = file.Length, Message = "Upload successful" }, StatusCodes.Status201Created);
        });

        objects.MapGet("/{**key}", async (string key, string? service, ServiceManager services, ConfigStore store, HttpContext http) =>
        {
            if (Pick(service, services) is not { } s3)
            {
                return Problem(service, services, store);
            }

            key = KeyOf(http, key);
            var opened = await Run(() => s3.OpenAsync(key, http.RequestAborted));
            if (opened.Error is not null)
            {
                return opened.Error;
            }

            using var found = opened.Value;
            if (found is null)
            {
                return AdminJson.Fail(StatusCodes.Status404NotFound, $"no object '{key}' in bucket '{s3.Bucket}'");
            }

            var response = http.Response;
            response.ContentType = ContentTypes.TryGetContentType(key, out var byExtension)
                ? byExtension
                : found.Headers.ContentType ?? "application/octet-stream";
            if (found.ContentLength >= 0)
            {
                response.ContentLength = found.ContentLength;
            }

            if (found.LastModified is { } modified)
            {
                response.Headers.LastModified = modified.ToUniversalTime().ToString("R");
            }

            // The admin port also serves the admin page: stored HTML or SVG must never run in its origin.
            response.Headers.ContentDisposition = new ContentDispositionHeaderValue("attachment") { FileNameStar = FileName(key) }.ToString();
            response.Headers.XContentTypeOptions = "nosniff";
            response.Headers.ContentSecurityPolicy = "sandbox";
            await found.ResponseStream.CopyToAsync(response.Body, http.RequestAborted);
            return Results.Empty;
        });

        objects.MapDelete("/{**key}", async (string key, string? service, ServiceManager services, ConfigStore store, HttpContext http) =>
        {
            if (Pick(service, services) is not { } s3)
            {
                return Problem(service, services, store);
            }

            key = KeyOf(http, key);
            var deleted = await Run(() => s3.DeleteAsync(key, http.RequestAborted));
            return deleted.Error ?? AdminJson.Ok(new { Key = key, s3.Bucket, Deleted = deleted.Value });
        });
    }

    /// <summary>
    /// The key exactly as the client sent it, decoded once: the routed value has had its dot segments removed
    /// (<c>a/../b</c> would silently become <c>b</c>) and keeps <c>%2F</c> encoded. A hostile key then reaches
    /// the key check and is refused, and an encoded slash is a slash.
    /// </summary>
    private static string KeyOf(HttpContext http, string routed)
    {
        var raw = http.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (raw is null || !raw.StartsWith(ObjectsPath, StringComparison.OrdinalIgnoreCase))
        {
            return routed;
        }

        var end = raw.IndexOf('?', StringComparison.Ordinal);
        return Uri.UnescapeDataString(end < 0 ? raw[ObjectsPath.Length..] : raw[ObjectsPath.Length..end]);
    }

    /// <summary>The service the request means, or null (then <see cref="Problem"/> says why).</summary>
    private static S3Service? Pick(string? wanted, ServiceManager services)
    {
        var directory = services.Directory;
        if (!string.IsNullOrEmpty(wanted))
        {
            return directory.ById.GetValueOrDefault(wanted) as S3Service ?? directory.ByName.GetValueOrDefault(wanted) as S3Service;
        }

        var active = directory.ById.Values.OfType<S3Service>().Take(2).ToList();
        return active.Count == 1 ? active[0] : null;
    }

    private static IResult Problem(string? wanted, ServiceManager services, ConfigStore store)
    {
        var directory = services.Directory;
        if (!string.IsNullOrEmpty(wanted))
        {
            var record = store.GetService(wanted) ?? store.ListServices().FirstOrDefault(s => s.Name == wanted);
            return record switch
            {
                null => AdminJson.Fail(StatusCodes.Status404NotFound, $"no service named or with id '{wanted}'"),
                { ServiceType: not "minio" } => AdminJson.Fail(StatusCodes.Status400BadRequest,
                    $"service '{record.Name}' is a {record.ServiceType} service, not minio (S3)"),
                _ => AdminJson.Fail(StatusCodes.Status503ServiceUnavailable,
                    $"service '{record.Name}' is not active: POST /api/services/{record.Id}/activate first"),
            };
        }

        var active = directory.ById.Values.OfType<S3Service>().Select(s => directory.NameOf(s.Id)).Order(StringComparer.Ordinal).ToList();
        return active.Count == 0
            ? AdminJson.Fail(StatusCodes.Status503ServiceUnavailable, "no minio (S3) service is active: create one and activate it")
            : AdminJson.Fail(StatusCodes.Status400BadRequest,
                $"{active.Count} minio services are active ({string.Join(", ", active)}): choose one with ?service=<name or id>");
    }

    /// <summary>Runs a storage call; a <see cref="HandlerError"/> (bad key, store down, store error) becomes the envelope with its status.</summary>
    private static async Task<(T? Value, IResult? Error)> Run<T>(Func<Task<T>> call)
    {
        try
        {
            return (await call(), null);
        }
        catch (HandlerError ex)
        {
            return (default, AdminJson.Fail(ex.StatusCode, ex.Message));
        }
    }

    private static async Task<(IFormFile? File, string? Key, IResult? Error)> ReadUploadAsync(HttpContext http)
    {
        var request = http.Request;
        if (!request.HasFormContentType || request.ContentType?.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase) != true)
        {
            return (null, null, AdminJson.Fail(StatusCodes.Status400BadRequest,
                "send multipart/form-data with a 'file' field (and optionally 'key')"));
        }

        if (request.ContentLength > MaxUploadBytes + MultipartOverheadBytes)
        {
            return (null, null, TooLarge());
        }

        var limit = MaxUploadBytes + MultipartOverheadBytes;
        http.Features.Set<IFormFeature>(new FormFeature(request, new FormOptions
        {
            MultipartBodyLengthLimit = limit,
            BufferBodyLengthLimit = limit,
            ValueCountLimit = 16,
        }));
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(http.RequestAborted);
        }
        catch (InvalidDataException ex) when (ex.Message.Contains("limit", StringComparison.OrdinalIgnoreCase) && ex.Message.Contains("exceeded", StringComparison.OrdinalIgnoreCase))
        {
            return (null, null, TooLarge());
        }
        catch (InvalidDataException ex)
        {
            return (null, null, AdminJson.Fail(StatusCodes.Status400BadRequest, $"malformed multipart body: {ex.Message}"));
        }

        var file = form.Files.GetFile("file");
        if (file is null)
        {
            return (null, null, AdminJson.Fail(StatusCodes.Status400BadRequest, "the form has no 'file' field"));
        }

        if (file.Length > MaxUploadBytes)
        {
            return (null, null, TooLarge());
        }

        var key = form.TryGetValue("key", out var given) && !string.IsNullOrEmpty(given.ToString()) ? given.ToString() : file.FileName;
        return ObjectKeys.Problem(key) is { } problem
            ? (null, null, AdminJson.Fail(StatusCodes.Status400BadRequest, $"invalid object key '{Printable(key)}': {problem}"))
            : (file, key, null);
    }

    /// <summary>The type the uploader declared, unless it said nothing useful; then the one the extension implies.</summary>
    private static string UploadContentType(IFormFile file, string key)
    {
        var declared = file.ContentType;
        if (!string.IsNullOrWhiteSpace(declared) && declared != "application/octet-stream" &&
            declared.Length <= 256 && declared.All(c => c is >= ' ' and <= '~'))
        {
            return declared;
        }

        return ContentTypes.TryGetContentType(key, out var byExtension) ? byExtension : "application/octet-stream";
    }

    private static IResult TooLarge() =>
        AdminJson.Fail(StatusCodes.Status413PayloadTooLarge, $"uploads are limited to {MaxUploadBytes / (1024 * 1024)} MB");

    private static string FileName(string key)
    {
        var slash = key.LastIndexOf('/');
        return slash >= 0 && slash < key.Length - 1 ? key[(slash + 1)..] : key;
    }

    private static string Printable(string? text) =>
        text is null ? "" : new string([.. text.Take(80).Select(c => char.IsControl(c) ? '?' : c)]);
}
