using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;

namespace Edge.Tests.Common;

/// <summary>Import calls and bundle building for the import tests.</summary>
public static class ImportApi
{
    /// <summary>The folder of the vendored public specs (copied next to the tests).</summary>
    public static string SpecsDir { get; } = System.IO.Path.Combine(AppContext.BaseDirectory, "Gateway", "OpenApi", "Specs");

    public static string Spec(string file) => File.ReadAllText(System.IO.Path.Combine(SpecsDir, file));

    /// <summary>POST /api/import/openapi with the spec text, the domain and any extra fields.</summary>
    public static Task<ApiResponse> ImportSpecAsync(this HttpClient admin, string spec, string? domain, object? extra = null)
    {
        var body = new Dictionary<string, object?> { ["spec"] = spec };
        if (domain is not null)
        {
            body["domain"] = domain;
        }

        foreach (var property in extra?.GetType().GetProperties() ?? [])
        {
            body[property.Name] = property.GetValue(extra);
        }

        return admin.PostApiAsync("/api/import/openapi", body);
    }

    /// <summary>POST /api/import/bundle with the ZIP in the multipart field <paramref name="field"/>.</summary>
    public static async Task<ApiResponse> ImportBundleAsync(this HttpClient admin, byte[] zip, string query, string field = "bundle")
    {
        using var form = new MultipartFormDataContent();
        var content = new ByteArrayContent(zip);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        form.Add(content, field, "bundle.zip");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/import/bundle?" + query) { Content = form };
        return await admin.SendParsedAsync(request);
    }

    /// <summary>A ZIP of the given files (name → text).</summary>
    public static byte[] Zip(params (string Name, string Text)[] files)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, text) in files)
            {
                var entry = zip.CreateEntry(name, CompressionLevel.Fastest);
                using var stream = entry.Open();
                stream.Write(Encoding.UTF8.GetBytes(text));
            }
        }

        return buffer.ToArray();
    }

    /// <summary>The files of a ZIP (name → text).</summary>
    public static Dictionary<string, string> Unzip(byte[] bytes)
    {
        using var zip = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in zip.Entries.Where(e => !e.FullName.EndsWith('/')))
        {
            using var reader = new StreamReader(entry.Open(), Encoding.UTF8);
            files[entry.FullName] = reader.ReadToEnd();
        }

        return files;
    }
}
