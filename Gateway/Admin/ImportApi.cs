using System.Text;
using Edge.Gateway.Import;
using Edge.Gateway.OpenApi;
using Microsoft.AspNetCore.Http.Features;

namespace Edge.Gateway.Admin;

/// <summary>
/// <c>/api/import/openapi</c> (a spec as YAML or JSON text) and <c>/api/import/bundle</c> (a ZIP with a spec, an
/// optional bundle.yaml and handler files). Both answer with the import report; a failed import writes nothing.
/// </summary>
internal static class ImportApi
{
    private const long MultipartOverheadBytes = 64 * 1024;

    private static readonly string[] SpecFields = ["spec", "domain", "domain_id", "collection_id", "create_collection", "compile", "start", "partial", "validate", "dry_run"];
    private static readonly string[] BundleFields = ["bundle", "file", "zip"];
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/import/openapi", async (HttpContext http, Importer importer) =>
        {
            var (input, error) = await JsonInput.ReadAsync(http.Request);
            if (input is null)
            {
                return error!;
            }

            input.RejectUnknown(SpecFields, []);
            string? specText;
            if (input.Raw("spec") is System.Text.Json.Nodes.JsonObject specObject)
            {
                // A spec may also be sent as a JSON object rather than as text.
                specText = specObject.ToJsonString();
            }
            else
            {
                specText = input.String("spec", required: true, maxLength: SpecText.MaxBytes, allowNull: false);
            }

            var options = new ImportOptions
            {
                Domain = input.String("domain", maxLength: 253, allowNull: false),
                DomainId = input.String("domain_id", maxLength: 64),
                CollectionId = input.String("collection_id", maxLength: 64),
                CreateCollection = input.Bool("create_collection") ?? false,
                Compile = input.Bool("compile") ?? false,
                Start = input.Bool("start") ?? false,
                Partial = input.Bool("partial") ?? false,
                Validate = input.Bool("validate") ?? true,
                DryRun = input.Bool("dry_run") ?? QueryFlag(http.Request.Query, "dry_run", input),
                CreatedBy = AdminCaller.Of(http).Name,
            };
            if (input.Problems() is { } problems)
            {
                return problems;
            }

            var (spec, specError) = ReadSpec(specText!);
            return spec is null
                ? specError!
                : Answer(await importer.ImportAsync(new ImportSource(spec), options, http.RequestAborted));
        });

        api.MapPost("/import/bundle", async (HttpContext http, Importer importer) =>
        {
            var (options, optionsError) = OptionsFromQuery(http.Request.Query);
            if (optionsError is not null)
            {
                return optionsError;
            }

            var (zip, uploadError) = await ReadBundleUploadAsync(http);
            if (zip is null)
            {
                return uploadError!;
            }

            BundleArchive archive;
            try
            {
                archive = BundleArchive.Read(new MemoryStream(zip, writable: false), zip.Length);
            }
            catch (BundleFormatException ex)
            {
                return AdminJson.Fail(StatusCodes.Status400BadRequest, $"invalid bundle: {ex.Message}");
            }

            var (source, sourceError) = ReadBundle(archive);
            return source is null
                ? sourceError!
                : Answer(await importer.ImportAsync(source, options! with { CreatedBy = AdminCaller.Of(http).Name }, http.RequestAborted));
        });
    }

    /// <summary>A bundle's spec, manifest and handler files; an unusable spec or manifest is a 400 naming the file.</summary>
    internal static (ImportSource? Source, IResult? Error) ReadBundle(BundleArchive archive)
    {
        var specFile = archive.FindSpec();
        if (specFile is null)
        {
            return (null, AdminJson.Fail(StatusCodes.Status400BadRequest,
                "invalid bundle: no spec found: add openapi.yaml (or openapi.yml, openapi.json, api.yaml, spec.yaml) at the root"));
        }

        var errors = new List<ImportError>();
        ApiSpec spec;
        try
        {
            spec = ApiSpecReader.Read(SpecText.Parse(Utf8(archive.Files[specFile], specFile)));
        }
        catch (Exception ex) when (ex is SpecFormatException or ApiSpecException or BundleFormatException)
        {
            return (null, AdminJson.Fail(StatusCodes.Status400BadRequest, $"invalid bundle: {specFile}: {ex.Message}"));
        }

        BundleManifest? manifest = null;
        if (archive.FindManifest() is { } manifestFile)
        {
            try
            {
                manifest = BundleManifest.Read(SpecText.Parse(Utf8(archive.Files[manifestFile], manifestFile)), manifestFile, errors);
            }
            catch (Exception ex) when (ex is SpecFormatException or BundleFormatException)
            {
                return (null, AdminJson.Fail(StatusCodes.Status400BadRequest, $"invalid bundle: {manifestFile}: {ex.Message}"));
            }
        }

        var handlers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in archive.HandlerFiles())
        {
            try
            {
                handlers[file] = Utf8(archive.Files[file], file);
            }
            catch (BundleFormatException ex)
            {
                errors.Add(new ImportError(null, file, null, ex.Message));
            }
        }

        return (new ImportSource(spec) { HandlerFiles = handlers, Manifest = manifest, Errors = errors }, null);
    }

    private static (ApiSpec? Spec, IResult? Error) ReadSpec(string text)
    {
        try
        {
            return (ApiSpecReader.Read(SpecText.Parse(text)), null);
        }
        catch (Exception ex) when (ex is SpecFormatException or ApiSpecException)
        {
            return (null, AdminJson.Fail(StatusCodes.Status400BadRequest, $"invalid spec: {ex.Message}"));
        }
    }

    /// <summary>A true/false query flag (<c>?dry_run=true</c>) next to a JSON body; false when absent.</summary>
    private static bool QueryFlag(IQueryCollection query, string name, JsonInput input)
    {
        if (!query.TryGetValue(name, out var raw))
        {
            return false;
        }

        if (bool.TryParse(raw, out var value) || raw == "1" || raw == "0")
        {
            return value || raw == "1";
        }

        input.Error(name, $"must be true or false, got '{raw}'");
        return false;
    }

    private static IResult Answer((int Status, string? Error, ImportReport Report) outcome) =>
        outcome.Error is null
            ? AdminJson.Ok(outcome.Report, outcome.Status)
            : AdminJson.Fail(outcome.Status, outcome.Error, outcome.Report);

    private static (ImportOptions? Options, IResult? Error) OptionsFromQuery(IQueryCollection query)
    {
        var problems = new List<string>();
        bool Flag(string name, bool fallback)
        {
            if (!query.TryGetValue(name, out var raw))
            {
                return fallback;
            }

            if (bool.TryParse(raw, out var value))
            {
                return value;
            }

            if (raw == "1" || raw == "0")
            {
                return raw == "1";
            }

            problems.Add($"{name}: must be true or false, got '{raw}'");
            return fallback;
        }

        string? Text(string name) => query.TryGetValue(name, out var raw) && !string.IsNullOrWhiteSpace(raw) ? raw.ToString() : null;

        var options = new ImportOptions
        {
            Domain = Text("domain"),
            DomainId = Text("domain_id"),
            CollectionId = Text("collection_id"),
            CreateCollection = Flag("create_collection", false),
            Compile = Flag("compile", false),
            Start = Flag("start", false),
            Partial = Flag("partial", false),
            Validate = Flag("validate", true),
            DryRun = Flag("dry_run", false),
        };
        return problems.Count == 0
            ? (options, null)
            : (null, AdminJson.Fail(StatusCodes.Status400BadRequest, "invalid request: " + string.Join("; ", problems)));
    }

    /// <summary>The ZIP from a multipart field (bundle, file or zip) or from a raw application/zip body.</summary>
    private static async Task<(byte[]? Zip, IResult? Error)> ReadBundleUploadAsync(HttpContext http)
    {
        var request = http.Request;
        var limit = BundleArchive.MaxArchiveBytes;
        if (request.ContentLength > limit + MultipartOverheadBytes)
        {
            return (null, TooLarge());
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit + MultipartOverheadBytes;
        }

        if (request.ContentType?.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase) != true)
        {
            if (request.ContentType?.StartsWith("application/zip", StringComparison.OrdinalIgnoreCase) == true ||
                request.ContentType?.StartsWith("application/octet-stream", StringComparison.OrdinalIgnoreCase) == true)
            {
                using var body = new MemoryStream();
                var chunk = new byte[64 * 1024];
                int read;
                while ((read = await request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
                {
                    if (body.Length + read > limit)
                    {
                        return (null, TooLarge());
                    }

                    body.Write(chunk, 0, read);
                }

                return (body.ToArray(), null);
            }

            return (null, AdminJson.Fail(StatusCodes.Status400BadRequest,
                "send the ZIP as multipart/form-data in a 'bundle' (or 'file', 'zip') field, or as an application/zip body"));
        }

        http.Features.Set<IFormFeature>(new FormFeature(request, new FormOptions
        {
            MultipartBodyLengthLimit = limit + MultipartOverheadBytes,
            BufferBodyLengthLimit = limit + MultipartOverheadBytes,
            ValueCountLimit = 16,
        }));
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(http.RequestAborted);
        }
        catch (InvalidDataException ex) when (ex.Message.Contains("limit", StringComparison.OrdinalIgnoreCase))
        {
            return (null, TooLarge());
        }
        catch (InvalidDataException ex)
        {
            return (null, AdminJson.Fail(StatusCodes.Status400BadRequest, $"malformed multipart body: {ex.Message}"));
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge());
        }

        var file = BundleFields.Select(form.Files.GetFile).FirstOrDefault(f => f is not null);
        if (file is null)
        {
            return (null, AdminJson.Fail(StatusCodes.Status400BadRequest, "the form has no 'bundle' (or 'file', 'zip') field with the ZIP"));
        }

        if (file.Length > limit)
        {
            return (null, TooLarge());
        }

        using var copy = new MemoryStream((int)file.Length);
        await file.CopyToAsync(copy, http.RequestAborted);
        return (copy.ToArray(), null);
    }

    private static IResult TooLarge() =>
        AdminJson.Fail(StatusCodes.Status413PayloadTooLarge, $"the bundle exceeds {BundleArchive.MaxArchiveBytes / (1024 * 1024)} MiB");

    private static string Utf8(byte[] bytes, string file)
    {
        try
        {
            var text = StrictUtf8.GetString(bytes);
            return text.Length > 0 && text[0] == '\uFEFF' ? text[1..] : text;
        }
        catch (DecoderFallbackException)
        {
            throw new BundleFormatException($"{file} is not UTF-8 text");
        }
    }
}
