using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace Edge.Services.Ftp;

/// <summary>
/// An <c>ftp</c> service with protocol <c>ftp</c> or <c>ftps</c> (explicit TLS: AUTH TLS on the control channel,
/// PROT P on the data channel), through the framework's FtpWebRequest. Every operation is one request, and .NET's
/// FtpWebRequest pools nothing (its KeepAlive is ignored): each one connects, logs in, works and closes. Binary
/// transfers; passive mode unless <c>passive</c> is false. FtpWebRequest takes its certificate check only from
/// ServicePointManager, so <see cref="TlsTrust.RegisterForServicePoint"/> makes this service's trust the one used
/// for its host name. Paths are <c>base_path</c> + the handler's path, sent the way FtpWebRequest sends a URI's
/// path (on servers that chroot the user, such as vsftpd here, <c>/</c> is the user's home).
/// </summary>
internal sealed partial class FtpService : FileTransferService
{
    private readonly string _host;
    private readonly int _port;
    private readonly bool _tls;
    private readonly bool _passive;
    private readonly NetworkCredential _credentials;
    private readonly TlsTrust? _trust;
    private readonly IReadOnlyList<string> _base;
    private readonly string _basePath;
    private readonly ILogger _logger;
    private int _closeNotifyWarned;

    public FtpService(ServiceDefinition definition, ILogger logger)
        : base(definition, logger)
    {
        _logger = logger;
        _host = ServiceConfig.RequiredString(Config, "host");
        _port = ServiceConfig.Int(Config, "port") ?? 21;
        _tls = ServiceConfig.RequiredString(Config, "protocol") == "ftps";
        _passive = ServiceConfig.Bool(Config, "passive") ?? true;
        _credentials = new NetworkCredential(ServiceConfig.RequiredString(Config, "username"), ServiceConfig.String(Config, "password") ?? "");
        _trust = _tls ? TlsTrust.From(Config) : null;
        _base = RemotePath.Base(ServiceConfig.String(Config, "base_path") ?? "/").Segments;
        _basePath = "/" + string.Join('/', _base);
        try
        {
            _ = UriOf("", folder: true);
        }
        catch (UriFormatException ex)
        {
            throw new InvalidOperationException($"config.host: '{_host}' is not a host name or address: {ex.Message}", ex);
        }
    }

    public override string Protocol => _tls ? "ftps" : "ftp";

    public override async Task PutAsync(string file, byte[] data, CancellationToken cancel)
    {
        var uri = UriOf(file, folder: false);
        try
        {
            await SendAsync(uri, WebRequestMethods.Ftp.UploadFile, data, DrainAsync, cancel).ConfigureAwait(false);
        }
        catch (FtpReplyException ex) when (ex.Code is 550 or 553)
        {
            // mkdir -p: create the folders top down (the base path's too), then try once more. A folder that
            // exists answers 550 as well, so MKD errors are not errors; the second upload says what went wrong.
            await MakeFoldersAsync(file, cancel).ConfigureAwait(false);
            await SendAsync(uri, WebRequestMethods.Ftp.UploadFile, data, DrainAsync, cancel).ConfigureAwait(false);
        }
    }

    public override async Task<byte[]?> GetAsync(string file, CancellationToken cancel)
    {
        try
        {
            return await SendAsync(UriOf(file, folder: false), WebRequestMethods.Ftp.DownloadFile, null, ReadAllAsync, cancel).ConfigureAwait(false);
        }
        catch (FtpReplyException ex) when (ex.Code == 550)
        {
            return null;
        }
    }

    public override async Task<IReadOnlyList<string>> ListAsync(string folder, CancellationToken cancel)
    {
        try
        {
            var listing = await SendAsync(UriOf(folder, folder: true), WebRequestMethods.Ftp.ListDirectoryDetails, null, ReadTextAsync, cancel)
                .ConfigureAwait(false);
            return DirectoryListing.FileNames(listing.Split('\n'));
        }
        catch (FtpReplyException ex) when (ex.Code == 550)
        {
            // FtpWebRequest changes into the folder first: 550 is a folder that does not exist (yet).
            return [];
        }
    }

    public override async Task<bool> DeleteAsync(string file, CancellationToken cancel)
    {
        try
        {
            return await SendAsync(UriOf(file, folder: false), WebRequestMethods.Ftp.DeleteFile, null, DrainAsync, cancel).ConfigureAwait(false);
        }
        catch (FtpReplyException ex) when (ex.Code == 550)
        {
            return false;
        }
    }

    public override async Task<string> ProbeAsync(CancellationToken cancel)
    {
        try
        {
            var listing = await SendAsync(UriOf("", folder: true), WebRequestMethods.Ftp.ListDirectoryDetails, null, ReadTextAsync, cancel)
                .ConfigureAwait(false);
            return $"{Protocol}: logged in, listed base path {_basePath} ({DirectoryListing.FileNames(listing.Split('\n')).Count} files)";
        }
        catch (FtpReplyException ex) when (ex.Code == 550)
        {
            return $"{Protocol}: logged in; base path {_basePath} does not exist yet (the first put creates it)";
        }
    }

    // FtpWebRequest holds no connection between requests: nothing to close.
    public override ValueTask DisposeAsync()
    {
        _trust?.UnregisterForServicePoint(_host);
        return ValueTask.CompletedTask;
    }

    private async Task MakeFoldersAsync(string file, CancellationToken cancel)
    {
        var folders = new List<string>();
        for (var i = 1; i <= _base.Count; i++)
        {
            folders.Add(string.Join('/', _base.Take(i)));
        }

        var prefix = _base.Count == 0 ? "" : string.Join('/', _base) + "/";
        folders.AddRange(RemotePath.Ancestors(file).Select(folder => prefix + folder));
        foreach (var folder in folders)
        {
            try
            {
                await SendAsync(UriOf(folder, folder: false, includeBase: false), WebRequestMethods.Ftp.MakeDirectory, null, DrainAsync, cancel)
                    .ConfigureAwait(false);
            }
            catch (FtpReplyException)
            {
                // Exists already, or cannot be made: the upload that follows reports the real problem.
            }
        }
    }

    private Uri UriOf(string relative, bool folder, bool includeBase = true)
    {
        var path = new StringBuilder("/");
        var segments = (includeBase ? _base : []).Concat(relative.Split('/', StringSplitOptions.RemoveEmptyEntries));
        foreach (var segment in segments)
        {
            path.Append(Uri.EscapeDataString(segment)).Append('/');
        }

        if (!folder && path.Length > 1)
        {
            path.Length--;
        }

        return new UriBuilder(Uri.UriSchemeFtp, _host, _port, path.ToString()).Uri;
    }

    /// <summary>One FTP request: connect, log in (AUTH TLS first for ftps), run <paramref name="method"/>, read the answer.</summary>
    private async Task<T> SendAsync<T>(Uri uri, string method, byte[]? upload, Func<Stream, CancellationToken, Task<T>> read, CancellationToken cancel)
    {
        // Registered per call, not at construction: building a service (even one never activated) must not change
        // the trust other clients of this host use.
        _trust?.RegisterForServicePoint(uri.Host);
        var request = Create(uri, method);

        // FtpWebRequest's own timeouts do not apply to asynchronous calls: the call deadline aborts the request.
        using var abort = cancel.Register(static r => Abort((FtpWebRequest)r!), request);
        try
        {
            if (upload is not null)
            {
                var stream = await request.GetRequestStreamAsync().ConfigureAwait(false);
                await using (stream.ConfigureAwait(false))
                {
                    await stream.WriteAsync(upload, cancel).ConfigureAwait(false);
                    if (_tls && !await FtpsDataChannel.CloseNotifyAsync(stream, cancel).ConfigureAwait(false) &&
                        Interlocked.Exchange(ref _closeNotifyWarned, 1) == 0)
                    {
                        Log.NoCloseNotify(_logger, Name);
                    }
                }
            }

            using var response = (FtpWebResponse)await request.GetResponseAsync().ConfigureAwait(false);
            var body = response.GetResponseStream();
            await using (body.ConfigureAwait(false))
            {
                return await read(body, cancel).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (cancel.IsCancellationRequested && ex is not OperationCanceledException)
        {
            throw new OperationCanceledException($"{Protocol} request aborted", ex, cancel);
        }
        catch (Exception ex) when (ex is WebException or IOException or SocketException or AuthenticationException)
        {
            throw Translate(ex, method, uri);
        }
    }

    private FtpWebRequest Create(Uri uri, string method)
    {
#pragma warning disable SYSLIB0014 // FtpWebRequest is obsolete but is the only FTP client available here (DEPENDENCIES.md).
        var request = (FtpWebRequest)WebRequest.Create(uri);
#pragma warning restore SYSLIB0014
        request.Method = method;
        request.Credentials = _credentials;
        request.EnableSsl = _tls;
        request.UsePassive = _passive;
        request.UseBinary = true;

        // A backstop for the socket operations FtpWebRequest runs synchronously inside its pipeline.
        request.Timeout = Limits.CallTimeoutMs;
        request.ReadWriteTimeout = Limits.CallTimeoutMs;
        return request;
    }

    private static void Abort(FtpWebRequest request)
    {
        try
        {
            request.Abort();
        }
        catch (Exception)
        {
            // Runs on the deadline timer: a failure to abort a request that is failing anyway must not escape.
        }
    }

    private Exception Translate(Exception error, string method, Uri uri)
    {
        var server = $"{Protocol} server {_host}:{_port}";
        if (error is WebException { Response: FtpWebResponse { StatusCode: not FtpStatusCode.Undefined } response } web)
        {
            var code = (int)response.StatusCode;
            var reply = $"{code} {response.StatusDescription?.Trim()}";
            return code switch
            {
                421 => new FileTransferUnavailableException($"{server} closed the session: {reply}", error),
                530 or 332 => new FileTransferUnavailableException($"{server} refused the login: {reply}", error),
                425 => new FileTransferUnavailableException(
                    $"{server} could not open a data connection ({(_passive ? "passive" : "active")} mode): {reply}", error),
                _ => new FtpReplyException(code, reply, $"{Operation(method)} '{Uri.UnescapeDataString(uri.AbsolutePath)}' failed: {reply}", web),
            };
        }

        if (Find<AuthenticationException>(error) is { } tls)
        {
            return new FileTransferUnavailableException(
                $"{server}: TLS handshake failed: {tls.Message} (is the server certificate issued by ca_cert_path's CA, and for this host name?)", error);
        }

        if (error is WebException { Status: WebExceptionStatus.ConnectFailure })
        {
            return new FileTransferUnavailableException($"{server}: cannot connect (connection refused or host unreachable)", error);
        }

        if (error is WebException { Status: WebExceptionStatus.NameResolutionFailure })
        {
            return new FileTransferUnavailableException($"{server}: cannot resolve the host name", error);
        }

        // No reply at all: the connection broke (server gone, reset, not an FTP server).
        var detail = Find<SocketException>(error)?.Message ?? Find<IOException>(error)?.Message ?? error.Message;
        return new FileTransferUnavailableException($"{server}: connection failed: {detail}", error);
    }

    private static T? Find<T>(Exception error)
        where T : Exception
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            if (e is T found)
            {
                return found;
            }
        }

        return null;
    }

    private static string Operation(string method) => method switch
    {
        WebRequestMethods.Ftp.UploadFile => "put",
        WebRequestMethods.Ftp.DownloadFile => "get",
        WebRequestMethods.Ftp.DeleteFile => "delete",
        WebRequestMethods.Ftp.ListDirectoryDetails => "list",
        WebRequestMethods.Ftp.MakeDirectory => "mkdir",
        _ => method,
    };

    private static async Task<bool> DrainAsync(Stream body, CancellationToken cancel)
    {
        await body.CopyToAsync(Stream.Null, cancel).ConfigureAwait(false);
        return true;
    }

    private static async Task<byte[]> ReadAllAsync(Stream body, CancellationToken cancel)
    {
        using var buffer = new MemoryStream();
        await body.CopyToAsync(buffer, cancel).ConfigureAwait(false);
        return buffer.ToArray();
    }

    private static async Task<string> ReadTextAsync(Stream body, CancellationToken cancel)
    {
        using var reader = new StreamReader(body, Encoding.UTF8);
        return await reader.ReadToEndAsync(cancel).ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3400, Level = LogLevel.Warning,
            Message = "service '{Name}' (ftps): the upload stream's TLS layer was not found, so uploads end without a TLS close_notify; servers that require one answer 426")]
        public static partial void NoCloseNotify(ILogger logger, string name);
    }
}
