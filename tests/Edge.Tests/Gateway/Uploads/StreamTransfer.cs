using System.Globalization;
using System.Text.Json;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Uploads;

/// <summary>Uploads and downloads through the <c>/stream</c> routes with the real curl.</summary>
public static class StreamTransfer
{
    /// <summary>POSTs <paramref name="file"/> to <c>/stream/upload/{name}</c> (the name already URL-encoded, sent as given, dot segments kept); status and body.</summary>
    public static async Task<(int Status, string Body)> UploadAsync(Uri gateway, string encodedName, string file, bool chunked = false, string? contentType = null)
    {
        var args = new List<string> { "-sS", "--path-as-is", "-X", "POST", "--data-binary", "@" + file, "-w", "\n%{http_code}" };
        if (chunked)
        {
            args.AddRange(["-H", "Transfer-Encoding: chunked"]);
        }

        // Without a type, none is sent (curl's "Content-Type:" removes its form default).
        args.AddRange(["-H", contentType is null ? "Content-Type:" : "Content-Type: " + contentType]);
        args.Add($"{gateway.ToString().TrimEnd('/')}/stream/upload/{encodedName}");
        return Split((await Curl.RunAsync([.. args])).Output);
    }

    /// <summary>GETs <paramref name="path"/> into <paramref name="target"/>; the status.</summary>
    public static async Task<int> DownloadAsync(Uri gateway, string path, string target, params string[] extra)
    {
        var (_, output) = await Curl.RunAsync([.. extra, "-sS", "-o", target, "-w", "%{http_code}", gateway.ToString().TrimEnd('/') + path]);
        return int.Parse(output, CultureInfo.InvariantCulture);
    }

    /// <summary>The <c>id</c> of an upload's answer.</summary>
    public static string IdOf(string body)
    {
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("id").GetString()!;
    }

    public static (int Status, string Body) Split(string output)
    {
        var newline = output.LastIndexOf('\n');
        return (int.Parse(output[(newline + 1)..], CultureInfo.InvariantCulture), output[..newline]);
    }
}
