using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Edge.Tests.Common;

namespace Edge.Tests.Services.Ftp;

/// <summary>
/// One way of reaching the real file servers, for theories: <c>ftp</c>, <c>ftps</c> (vsftpd, private CA),
/// <c>sftp-key</c> (absolute base path, key file) and <c>sftp-password</c> (base path relative to the login
/// folder, password). Each service gets its own base folder, whose place on the server's disk is <see cref="Disk"/>.
/// </summary>
public sealed class FileServer
{
    public static readonly TheoryData<string> Variants = new() { "ftp", "ftps", "sftp-key", "sftp-password" };

    private FileServer(string variant, string folder, Dictionary<string, object?> config)
    {
        Variant = variant;
        Folder = folder;
        Config = config;
    }

    public string Variant { get; }

    /// <summary>The process name for <see cref="TestServices.KillAsync"/>: ftp (vsftpd, both ftp and ftps) or sftp.</summary>
    public string Server => IsSftp ? "sftp" : "ftp";

    public bool IsSftp => Variant.StartsWith("sftp", StringComparison.Ordinal);

    public string Protocol => IsSftp ? "sftp" : Variant;

    /// <summary>The unique folder under the server's home that is this service's base path.</summary>
    public string Folder { get; }

    /// <summary>The home the server writes into (what the login sees as its home, or / for chrooted FTP).</summary>
    public string Home => TestServices.Get(IsSftp ? "SFTP_HOME" : "FTP_HOME");

    /// <summary>The base path on the server's disk.</summary>
    public string Disk => Path.Combine(Home, Folder);

    /// <summary>The login that owns what the server writes.</summary>
    public string Owner => TestServices.Get(IsSftp ? "SFTP_USER" : "FTP_USER");

    public Dictionary<string, object?> Config { get; }

    public static FileServer Create(string variant, string? folder = null)
    {
        folder ??= Unique.Name("ft");
        var config = variant switch
        {
            "ftp" => new Dictionary<string, object?> { ["base_path"] = "/" + folder },
            "ftps" => new Dictionary<string, object?> { ["base_path"] = "/" + folder, ["ca_cert_path"] = TestServices.CaCert },
            "sftp-key" => new Dictionary<string, object?>
            {
                ["base_path"] = Path.Combine(TestServices.Get("SFTP_HOME"), folder),
                ["private_key_path"] = TestServices.Get("SFTP_PRIVATE_KEY"),
            },
            "sftp-password" => new Dictionary<string, object?> { ["base_path"] = folder, ["password"] = TestServices.Get("SFTP_PASSWORD") },
            _ => throw new ArgumentException($"unknown variant {variant}", nameof(variant)),
        };
        return new FileServer(variant, folder, config);
    }

    /// <summary>The body of POST /api/services, with <paramref name="extra"/> config fields over the variant's.</summary>
    public object Body(string name, IReadOnlyDictionary<string, object?>? extra = null)
    {
        var config = new Dictionary<string, object?>(Config);
        foreach (var (key, value) in extra ?? new Dictionary<string, object?>())
        {
            config[key] = value;
        }

        return IsSftp ? TestServices.Sftp(name, config) : TestServices.Ftp(name, Variant, config);
    }

    /// <summary>Writes a file on the server's disk as the server's login would (owned by it, 0644).</summary>
    public void WriteOnDisk(string relative, byte[] bytes)
    {
        var path = Path.Combine(Disk, relative);
        var folder = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(path, bytes);
        Chown(Disk);
    }

    /// <summary>Removes what this server's tests left in the home (the base path's top folder).</summary>
    public void Delete()
    {
        var top = Path.Combine(Home, Folder.Split('/')[0]);
        if (Directory.Exists(top))
        {
            Directory.Delete(top, recursive: true);
        }
    }

    /// <summary>Every file and folder under the server's home (relative), to prove nothing was written elsewhere.</summary>
    public SortedSet<string> Snapshot() => new(
        Directory.EnumerateFileSystemEntries(Home, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(Home, p)),
        StringComparer.Ordinal);

    private void Chown(string path)
    {
        using var chown = Process.Start(new ProcessStartInfo("chown", ["-R", $"{Owner}:{Owner}", path]) { RedirectStandardError = true })!;
        chown.WaitForExit();
        chown.ExitCode.ShouldBe(0, chown.StandardError.ReadToEnd());
    }
}

/// <summary>
/// An endpoint whose handler exposes one service's <c>ctx.Ftp(name)</c> over HTTP: <c>?op=put|get|list|delete</c>
/// and <c>path</c>; the body is the data to put; get answers <c>{found, data (base64)}</c>.
/// </summary>
public sealed class FileTransferEndpoint
{
    private const string Code = """
        async Task<Response> Handle(Context ctx, Request req)
        {
            var files = ctx.Ftp(req.RequireQueryParam("service"));
            var path = req.QueryParam("path") ?? "";
            switch (req.QueryParam("op"))
            {
                case "put":
                    await files.PutAsync(path, req.BodyBytes);
                    return Response.Ok(new { protocol = files.Protocol });
                case "get":
                    var bytes = await files.GetAsync(path);
                    return Response.Ok(new { found = bytes is not null, data = bytes is null ? null : Convert.ToBase64String(bytes) });
                case "list":
                    return Response.Ok(await files.ListAsync(path));
                case "delete":
                    return Response.Ok(new { deleted = await files.DeleteAsync(path) });
                default:
                    return Response.BadRequest("op must be put, get, list or delete");
            }
        }
        """;

    private readonly EdgeProcess _edge;
    private readonly string _path;
    private readonly string _service;

    private FileTransferEndpoint(EdgeProcess edge, string path, string service)
    {
        _edge = edge;
        _path = path;
        _service = service;
    }

    public static async Task<FileTransferEndpoint> DeployAsync(EdgeProcess edge, string service)
    {
        var path = Unique.Path("files");
        await edge.Admin.DeployNewAsync(new EndpointSpec { Path = path, Method = "POST", Code = Code });
        return new FileTransferEndpoint(edge, path, service);
    }

    /// <summary>The same handler for another service.</summary>
    public FileTransferEndpoint For(string service) => new(_edge, _path, service);

    public async Task<(HttpStatusCode Status, string Body)> CallAsync(string op, string path, byte[]? data = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post,
            $"{_path}?service={Uri.EscapeDataString(_service)}&op={op}&path={Uri.EscapeDataString(path)}");
        request.Content = new ByteArrayContent(data ?? []);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await _edge.Gateway.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task PutAsync(string path, byte[] data)
    {
        var (status, body) = await CallAsync("put", path, data);
        status.ShouldBe(HttpStatusCode.OK, body);
    }

    /// <summary>The file's bytes, or null when the handler got null.</summary>
    public async Task<byte[]?> GetAsync(string path)
    {
        var (status, body) = await CallAsync("get", path);
        status.ShouldBe(HttpStatusCode.OK, body);
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("found").GetBoolean() ? Convert.FromBase64String(json.RootElement.GetProperty("data").GetString()!) : null;
    }

    public async Task<string[]> ListAsync(string folder = "")
    {
        var (status, body) = await CallAsync("list", folder);
        status.ShouldBe(HttpStatusCode.OK, body);
        return JsonSerializer.Deserialize<string[]>(body)!;
    }

    public async Task<bool> DeleteAsync(string path)
    {
        var (status, body) = await CallAsync("delete", path);
        status.ShouldBe(HttpStatusCode.OK, body);
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("deleted").GetBoolean();
    }
}
