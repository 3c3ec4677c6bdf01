using System.Globalization;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;

namespace Edge.Services.Ftp;

/// <summary>
/// An <c>ftp</c> service with protocol <c>sftp</c>, through OpenSSH's <c>sftp</c> client run as a child process in
/// batch mode (<c>-b -</c>: commands on stdin, the run fails at the first failing command). Host keys are always
/// checked strictly, against <c>known_hosts_path</c> or against a known_hosts file written from the server keys
/// whose SHA256 fingerprint equals <c>host_key_fingerprint</c>. Authentication is by key (<c>private_key_path</c>,
/// or <c>private_key</c> written to a 0600 file) or by password (handed to ssh through <c>SSH_ASKPASS</c> from an
/// environment variable set only for the child). One SSH connection is shared by the operations through ssh's
/// connection multiplexing (ControlMaster), so only the first pays for the handshake. State files live in
/// <c>{state dir}/{service id}/p{pid}-{random}/</c> (0700), deleted on dispose.
/// </summary>
[UnsupportedOSPlatform("windows")]
internal sealed partial class SftpService : FileTransferService
{
    /// <summary>How long the shared SSH connection stays open with no operation running.</summary>
    public static readonly TimeSpan ControlPersist = TimeSpan.FromSeconds(60);

    /// <summary>Operations sharing the connection at once: below OpenSSH's default MaxSessions (10) per connection.</summary>
    public const int MaxSharedSessions = 8;

    private const string SecretVariable = "EDGE_SFTP_ASKPASS_SECRET";

    // Relative to the state folder, which is every child's working directory: no length limit on a long data
    // folder (a unix socket path holds about 100 bytes), and no quoting.
    private const string ControlSocket = "cm";
    private const string KnownHostsFile = "known_hosts";
    private const string KeyFile = "id";
    private const string AskPassFile = "askpass";

    private readonly string _host;
    private readonly int _port;
    private readonly string _username;
    private readonly string? _password;
    private readonly string? _privateKey;
    private readonly string? _privateKeyPath;
    private readonly string? _knownHostsPath;
    private readonly string? _fingerprint;
    private readonly string _base;
    private readonly int _connectTimeoutSeconds;
    private readonly string _stateRoot;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _prepare = new(1, 1);
    private readonly SemaphoreSlim _sharedSessions = new(MaxSharedSessions, MaxSharedSessions);
    private volatile string? _dir;
    private volatile bool _hostKeyPinned;

    public SftpService(ServiceDefinition definition, ServiceEnvironment environment, ILogger logger)
        : base(definition, logger)
    {
        _logger = logger;
        _host = ServiceConfig.RequiredString(Config, "host");
        if (_host.StartsWith('-') || _host.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '@' or '"'))
        {
            throw new InvalidOperationException($"config.host: '{RemotePath.Shown(_host)}' is not a host name or address");
        }

        _port = ServiceConfig.Int(Config, "port") ?? 22;
        _username = ServiceConfig.RequiredString(Config, "username");
        if (_username.StartsWith('-') || _username.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '"' or '%'))
        {
            throw new InvalidOperationException("config.username: must not start with '-' nor hold spaces, control characters, '\"' or '%'");
        }

        _password = ServiceConfig.String(Config, "password");
        _privateKey = ServiceConfig.String(Config, "private_key");
        _privateKeyPath = ServiceConfig.String(Config, "private_key_path");
        if (_privateKey is not null && !_privateKey.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("config.private_key: not a private key in PEM or OpenSSH form (-----BEGIN … PRIVATE KEY-----)");
        }

        if (_privateKeyPath is not null)
        {
            CheckReadable("private_key_path", _privateKeyPath);
        }

        if (_password is null && _privateKey is null && _privateKeyPath is null)
        {
            throw new InvalidOperationException("config.password: sftp needs password, private_key or private_key_path");
        }

        _knownHostsPath = ServiceConfig.String(Config, "known_hosts_path");
        if (_knownHostsPath is not null)
        {
            CheckReadable("known_hosts_path", _knownHostsPath);
        }
        else
        {
            var configured = ServiceConfig.String(Config, "host_key_fingerprint") ?? "";
            _fingerprint = SshHostKeys.Normalise(configured) ?? throw new InvalidOperationException(
                "config.host_key_fingerprint: must be an OpenSSH SHA256 fingerprint, SHA256: then 43 base64 characters (ssh-keygen -lf key.pub)");
        }

        var (absolute, segments) = RemotePath.Base(ServiceConfig.String(Config, "base_path") ?? ".");
        var joined = string.Join('/', segments);
        _base = absolute ? "/" + joined : joined.Length == 0 ? "." : "./" + joined;
        _connectTimeoutSeconds = ServiceConfig.Int(Config, "timeout_seconds") ?? Math.Clamp((Limits.CallTimeoutMs + 999) / 1000, 1, 60);
        _stateRoot = Path.Combine(environment.StateDir, definition.Id);
    }

    public override string Protocol => "sftp";

    /// <summary>Whether operations share one SSH connection (ControlMaster); off only to measure what it saves.</summary>
    internal bool Multiplex { get; init; } = true;

    public override async Task PutAsync(string file, byte[] data, CancellationToken cancel)
    {
        var dir = await PrepareAsync(cancel).ConfigureAwait(false);
        var remote = Remote(file);
        var local = await WriteLocalAsync(dir, data, cancel).ConfigureAwait(false);
        try
        {
            var put = $"put {SftpQuoting.Argument(local)} {SftpQuoting.Argument(remote)}\n";
            var result = await RunBatchAsync(put, cancel).ConfigureAwait(false);
            if (result.ExitCode != 0 && LastLine(result).StartsWith("dest open", StringComparison.Ordinal) && LastLine(result).EndsWith("No such file or directory", StringComparison.Ordinal))
            {
                // mkdir -p: each folder from the top ('-' ignores the failure of one that exists), then the put.
                var folders = new StringBuilder();
                foreach (var folder in Folders(remote))
                {
                    folders.Append("-mkdir ").Append(SftpQuoting.Argument(folder)).Append('\n');
                }

                result = await RunBatchAsync(folders + put, cancel).ConfigureAwait(false);
            }

            ThrowIfFailed(result, "put", file);
        }
        finally
        {
            DeleteLocal(dir, local);
        }
    }

    public override async Task<byte[]?> GetAsync(string file, CancellationToken cancel)
    {
        var dir = await PrepareAsync(cancel).ConfigureAwait(false);
        var local = LocalName();
        try
        {
            var result = await RunBatchAsync($"get {SftpQuoting.Argument(Remote(file))} {SftpQuoting.Argument(local)}\n", cancel).ConfigureAwait(false);
            if (result.ExitCode is not 0 and not 255 && LastLine(result) is var last &&
                (last.EndsWith("not found.", StringComparison.Ordinal) || last.EndsWith("No such file or directory", StringComparison.Ordinal) ||
                 last.EndsWith("not a regular file", StringComparison.Ordinal)))
            {
                return null;
            }

            ThrowIfFailed(result, "get", file);
            return await File.ReadAllBytesAsync(Path.Combine(dir, local), cancel).ConfigureAwait(false);
        }
        finally
        {
            DeleteLocal(dir, local);
        }
    }

    public override async Task<IReadOnlyList<string>> ListAsync(string folder, CancellationToken cancel)
    {
        // The trailing slash makes ls list the folder's content, and fail (not found) for a file.
        var path = folder.Length == 0 ? _base : Remote(folder);
        var result = await RunBatchAsync($"ls -l {SftpQuoting.Argument(path.EndsWith('/') ? path : path + "/")}\n", cancel).ConfigureAwait(false);
        if (result.ExitCode is not 0 and not 255 && LastLine(result).StartsWith("Can't ls", StringComparison.Ordinal) &&
            LastLine(result).EndsWith("not found", StringComparison.Ordinal))
        {
            return [];
        }

        ThrowIfFailed(result, "list", folder);
        return DirectoryListing.FileNames(result.StdOut.Split('\n'));
    }

    public override async Task<bool> DeleteAsync(string file, CancellationToken cancel)
    {
        var result = await RunBatchAsync($"rm {SftpQuoting.Argument(Remote(file))}\n", cancel).ConfigureAwait(false);
        if (result.ExitCode is not 0 and not 255 && LastLine(result).EndsWith("No such file or directory", StringComparison.Ordinal))
        {
            return false;
        }

        ThrowIfFailed(result, "delete", file);
        return true;
    }

    public override async Task<string> ProbeAsync(CancellationToken cancel)
    {
        // pwd, cd into the base path (allowed to fail: it may not exist yet), pwd again: one round trip that
        // proves login and resolves the base path.
        var result = await RunBatchAsync($"pwd\n-cd {SftpQuoting.Argument(_base)}\npwd\n", cancel).ConfigureAwait(false);
        ThrowIfFailed(result, "probe", _base);
        const string prefix = "Remote working directory: ";
        var folders = result.StdOut.Split('\n')
            .Select(line => line.TrimEnd('\r'))
            .Where(line => line.StartsWith(prefix, StringComparison.Ordinal))
            .Select(line => line[prefix.Length..])
            .ToList();
        if (folders.Count < 2)
        {
            throw new FileTransferException($"probe: unexpected answer to pwd: {Scrub(result.StdOut.Trim())}");
        }

        // Only the cd can fail (its '-' prefix lets the batch go on): its message is the only error line.
        return ErrorLines(result.StdErr).FirstOrDefault() switch
        {
            null => $"sftp: logged in, base path {folders[^1]}",
            var error when error.EndsWith("No such file or directory", StringComparison.Ordinal) =>
                $"sftp: logged in (home {folders[0]}); base path {_base} does not exist yet (the first put creates it)",
            var error => $"sftp: logged in (home {folders[0]}); base path {_base} cannot be entered: {Scrub(error)}",
        };
    }

    public override async ValueTask DisposeAsync()
    {
        var dir = _dir;
        _dir = null;
        if (dir is null)
        {
            return;
        }

        if (File.Exists(Path.Combine(dir, ControlSocket)))
        {
            // Close the shared connection now rather than when ControlPersist runs out.
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            try
            {
                var exit = ProcessRunner.Start("ssh", ["-F", "/dev/null", "-o", "ControlPath=" + ControlSocket, "-O", "exit", "edge-sftp"], dir);
                await ProcessRunner.RunAsync(exit, "", limit.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or FileTransferUnavailableException)
            {
                // The master exits by itself after ControlPersist.
            }
        }

        DeleteFolder(dir);
    }

    private static void CheckReadable(string field, string path)
    {
        if (SftpQuoting.OptionPath(path) is null)
        {
            throw new InvalidOperationException($"config.{field}: a path holding '\"' or control characters cannot be given to ssh");
        }

        try
        {
            using var stream = File.OpenRead(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"config.{field}: cannot read '{path}': {ex.Message}", ex);
        }
    }

    /// <summary>The handler path on the server: under an absolute base, or relative to the login folder ("./…").</summary>
    private string Remote(string relative) => _base == "/" ? "/" + relative : _base + "/" + relative;

    /// <summary>The folders above a remote file, top down: <c>./a/b/c</c> gives <c>./a</c>, <c>./a/b</c>.</summary>
    private static IEnumerable<string> Folders(string remoteFile)
    {
        var parts = remoteFile.Split('/');
        for (var i = 1; i < parts.Length - 1; i++)
        {
            var folder = string.Join('/', parts.Take(i + 1));
            if (folder is not "." and not "")
            {
                yield return folder;
            }
        }
    }

    /// <summary>Runs one sftp batch, over the shared connection when possible.</summary>
    private async Task<ProcessRunner.Result> RunBatchAsync(string commands, CancellationToken cancel)
    {
        var dir = await PrepareAsync(cancel).ConfigureAwait(false);
        ProcessRunner.Result result;
        if (Multiplex)
        {
            await _sharedSessions.WaitAsync(cancel).ConfigureAwait(false);
            try
            {
                result = await RunSftpAsync(dir, commands, multiplex: true, cancel).ConfigureAwait(false);
            }
            finally
            {
                _sharedSessions.Release();
            }

            if (result.ExitCode == 255 && result.StdErr.Contains("Session open refused", StringComparison.Ordinal))
            {
                // The server allows fewer sessions per connection than we share: this one goes on its own.
                result = await RunSftpAsync(dir, commands, multiplex: false, cancel).ConfigureAwait(false);
            }
        }
        else
        {
            result = await RunSftpAsync(dir, commands, multiplex: false, cancel).ConfigureAwait(false);
        }

        if (result.ExitCode == 255 && _fingerprint is not null && result.StdErr.Contains("Host key verification failed", StringComparison.Ordinal))
        {
            // The pinned file no longer matches what the server offers: scan and compare again next time.
            _hostKeyPinned = false;
        }

        return result;
    }

    private Task<ProcessRunner.Result> RunSftpAsync(string dir, string commands, bool multiplex, CancellationToken cancel)
    {
        var start = ProcessRunner.Start("sftp", Arguments(multiplex), dir);
        if (_password is not null && _privateKey is null && _privateKeyPath is null)
        {
            // The password reaches ssh only through the askpass helper, from a variable of the child's own
            // environment: never on a command line, in a file or in a log.
            start.Environment["SSH_ASKPASS"] = Path.Combine(dir, AskPassFile);
            start.Environment["SSH_ASKPASS_REQUIRE"] = "force";
            start.Environment[SecretVariable] = _password;
        }

        return ProcessRunner.RunAsync(start, commands, cancel);
    }

    private List<string> Arguments(bool multiplex)
    {
        var args = new List<string> { "-F", "/dev/null", "-P", _port.ToString(CultureInfo.InvariantCulture) };
        void Option(string option) => args.AddRange(["-o", option]);

        Option("User=" + _username);
        Option("StrictHostKeyChecking=yes");
        Option("UserKnownHostsFile=" + (_knownHostsPath is null ? KnownHostsFile : SftpQuoting.OptionPath(_knownHostsPath)));
        Option("GlobalKnownHostsFile=/dev/null");
        Option("UpdateHostKeys=no");
        Option("CheckHostIP=no");
        Option("ConnectTimeout=" + _connectTimeoutSeconds.ToString(CultureInfo.InvariantCulture));
        Option("ServerAliveInterval=15");
        Option("ServerAliveCountMax=3");
        Option("LogLevel=ERROR");
        Option("IdentityAgent=none");
        Option("IdentitiesOnly=yes");
        if (_privateKey is not null || _privateKeyPath is not null)
        {
            Option("IdentityFile=" + (_privateKey is not null ? KeyFile : SftpQuoting.OptionPath(_privateKeyPath!)));
            Option("PreferredAuthentications=publickey");
            Option("PasswordAuthentication=no");
            Option("KbdInteractiveAuthentication=no");
        }
        else
        {
            Option("PubkeyAuthentication=no");
            Option("PreferredAuthentications=password,keyboard-interactive");
            Option("NumberOfPasswordPrompts=1");

            // sftp -b adds BatchMode=yes, which turns off askpass; ssh keeps the first value it is given for an
            // option, so this one, placed before -b, wins.
            Option("BatchMode=no");
        }

        if (multiplex)
        {
            Option("ControlMaster=auto");
            Option("ControlPath=" + ControlSocket);
            Option("ControlPersist=" + ((int)ControlPersist.TotalSeconds).ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            Option("ControlMaster=no");
            Option("ControlPath=none");
        }

        args.AddRange(["-b", "-", _host.Contains(':', StringComparison.Ordinal) ? $"[{_host}]" : _host]);
        return args;
    }

    /// <summary>The state folder, created on first use with its files; the host key pinned when it is not yet.</summary>
    private async Task<string> PrepareAsync(CancellationToken cancel)
    {
        if (_dir is { } ready && (_hostKeyPinned || _fingerprint is null))
        {
            return ready;
        }

        await _prepare.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            var dir = _dir ?? CreateStateFolder();
            if (_fingerprint is not null && !_hostKeyPinned)
            {
                await PinHostKeyAsync(dir, cancel).ConfigureAwait(false);
                _hostKeyPinned = true;
            }

            return dir;
        }
        finally
        {
            _prepare.Release();
        }
    }

    private string CreateStateFolder()
    {
        const UnixFileMode owner = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        Directory.CreateDirectory(_stateRoot, owner);

        // Folders left by an earlier edge process (one that crashed before disposing) hold key copies: remove them.
        var mine = $"p{Environment.ProcessId}-";
        foreach (var old in Directory.EnumerateDirectories(_stateRoot, "p*-*"))
        {
            if (!Path.GetFileName(old).StartsWith(mine, StringComparison.Ordinal))
            {
                DeleteFolder(old);
            }
        }

        var dir = Path.Combine(_stateRoot, mine + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));
        Directory.CreateDirectory(dir, owner);
        File.SetUnixFileMode(dir, owner);
        if (_privateKey is not null)
        {
            // OpenSSH refuses a key file without a final newline, and one that others can read.
            WriteFile(dir, KeyFile, _privateKey.EndsWith('\n') ? _privateKey : _privateKey + "\n", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        if (_password is not null)
        {
            WriteFile(dir, AskPassFile, $"#!/bin/sh\nprintf '%s\\n' \"${SecretVariable}\"\n", owner);
        }

        _dir = dir;
        return dir;
    }

    /// <summary>
    /// Fetches the server's host keys with ssh-keyscan, keeps those whose SHA256 fingerprint is the configured
    /// one and writes them as this service's known_hosts. ssh then still checks, at every connection, that the
    /// server holds the private half.
    /// </summary>
    private async Task PinHostKeyAsync(string dir, CancellationToken cancel)
    {
        var scan = ProcessRunner.Start("ssh-keyscan",
            ["-p", _port.ToString(CultureInfo.InvariantCulture), "-T", _connectTimeoutSeconds.ToString(CultureInfo.InvariantCulture), _host], dir);
        var result = await ProcessRunner.RunAsync(scan, "", cancel).ConfigureAwait(false);
        var keys = SshHostKeys.Parse(result.StdOut);
        if (keys.Count == 0)
        {
            throw new FileTransferUnavailableException(
                $"sftp server {_host}:{_port}: {await WhyNoHostKeyAsync(cancel).ConfigureAwait(false)}");
        }

        var pinned = keys.Where(k => k.Fingerprint == _fingerprint).ToList();
        if (pinned.Count == 0)
        {
            var offered = string.Join(", ", keys.Select(k => $"{k.Fingerprint} ({k.Type})"));
            Log.HostKeyMismatch(_logger, Name, offered, _fingerprint!);
            throw new FileTransferUnavailableException(
                $"sftp server {_host}:{_port}: host key refused: the server offers {offered}, but config.host_key_fingerprint is {_fingerprint}");
        }

        WriteFile(dir, KnownHostsFile, string.Concat(pinned.Select(k => k.Line + "\n")), UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    private async Task<string> WhyNoHostKeyAsync(CancellationToken cancel)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(_host, _port, cancel).ConfigureAwait(false);
            return "no SSH host key could be fetched (ssh-keyscan got none: not an SSH server?)";
        }
        catch (SocketException ex)
        {
            return $"cannot connect: {ex.Message}";
        }
    }

    private static void WriteFile(string dir, string name, string content, UnixFileMode mode)
    {
        var path = Path.Combine(dir, name);
        File.Delete(path);
        using var stream = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = mode });
        stream.Write(Encoding.UTF8.GetBytes(content));
    }

    private static async Task<string> WriteLocalAsync(string dir, byte[] data, CancellationToken cancel)
    {
        var name = LocalName();
        var stream = new FileStream(Path.Combine(dir, name), new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        await using (stream.ConfigureAwait(false))
        {
            await stream.WriteAsync(data, cancel).ConfigureAwait(false);
        }

        return name;
    }

    private static string LocalName() => "t-" + Guid.NewGuid().ToString("N");

    private static void DeleteLocal(string dir, string name)
    {
        try
        {
            File.Delete(Path.Combine(dir, name));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The state folder goes as a whole on dispose.
        }
    }

    private static void DeleteFolder(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Gone already, or in use by a process that is being killed.
        }
    }

    private static string LastLine(ProcessRunner.Result result) => ErrorLines(result.StdErr).LastOrDefault() ?? "";

    private static List<string> ErrorLines(string stderr) =>
        [.. stderr.Split('\n').Select(line => line.Trim()).Where(line => line.Length > 0)];

    private void ThrowIfFailed(ProcessRunner.Result result, string operation, string path)
    {
        if (result.ExitCode == 0)
        {
            return;
        }

        var lines = ErrorLines(result.StdErr);
        if (result.ExitCode == 255)
        {
            // ssh itself failed (sftp exits 255 then): the server cannot be used at all.
            var first = lines.FirstOrDefault(l => !l.StartsWith("Connection closed", StringComparison.Ordinal)) ?? lines.FirstOrDefault();
            var all = string.Join(" ", lines);
            var reason =
                Has(all, "Host key verification failed") || Has(all, "host key")
                    ? $"host key verification failed ({(_knownHostsPath is null ? "config.host_key_fingerprint" : "known_hosts_path")} does not match the server's key)"
                : Has(all, "Permission denied") || Has(all, "Too many authentication failures") ? $"authentication failed for user '{_username}'"
                : Has(all, "Connection refused") ? "connection refused"
                : Has(all, "Could not resolve hostname") ? "cannot resolve the host name"
                : Has(all, "timed out") ? "connection timed out"
                : "connection failed";
            throw new FileTransferUnavailableException($"sftp server {_host}:{_port}: {reason}: {Scrub(first ?? "ssh exited with 255")}");
        }

        throw new FileTransferException($"{operation} '{RemotePath.Shown(path)}' failed: {Scrub(lines.LastOrDefault() ?? $"sftp exited with {result.ExitCode}")}");
    }

    private static bool Has(string text, string part) => text.Contains(part, StringComparison.OrdinalIgnoreCase);

    // Defence in depth: the password is never given to sftp where it could echo it, but no message may carry it.
    private string Scrub(string text) =>
        _password is { Length: > 0 } secret ? text.Replace(secret, ServiceSchemas.Redacted, StringComparison.Ordinal) : text;

    private static partial class Log
    {
        [LoggerMessage(EventId = 3410, Level = LogLevel.Warning,
            Message = "service '{Name}' (sftp): host key refused: the server offers {Offered}, the pinned fingerprint is {Pinned}")]
        public static partial void HostKeyMismatch(ILogger logger, string name, string offered, string pinned);
    }
}
