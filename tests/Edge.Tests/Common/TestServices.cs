using System.Diagnostics;

namespace Edge.Tests.Common;

/// <summary>
/// The real backing servers started by <c>scripts/services.sh start</c> (scripts/test.sh runs it): their
/// settings from <c>$EDGE_SERVICES_DIR/services.env</c>, service configs for the admin API, and kill/restart
/// for backend-down tests. A missing file fails the test loudly: connector tests never skip.
/// </summary>
public static class TestServices
{
    private static readonly Lazy<IReadOnlyDictionary<string, string>> Settings = new(Load);

    public static string Dir => Environment.GetEnvironmentVariable("EDGE_SERVICES_DIR") is { Length: > 0 } d ? d : "/tmp/edge-services";

    /// <summary>One setting, e.g. <c>Get("POSTGRES_PORT")</c> for EDGE_TEST_POSTGRES_PORT.</summary>
    public static string Get(string key) =>
        Settings.Value.TryGetValue("EDGE_TEST_" + key, out var value)
            ? value
            : throw new InvalidOperationException($"EDGE_TEST_{key} is not in {Dir}/services.env");

    public static int Port(string key) => int.Parse(Get(key), System.Globalization.CultureInfo.InvariantCulture);

    public static string CaCert => Get("TLS_CA_CERT");

    // ----- service configs (bodies for POST /api/services) -----

    public static object Postgres(string name, object? extra = null) => Body(name, "postgres", Merge(new Dictionary<string, object?>
    {
        ["host"] = Get("POSTGRES_HOST"),
        ["port"] = Port("POSTGRES_PORT"),
        ["database"] = Get("POSTGRES_DATABASE"),
        ["username"] = Get("POSTGRES_USER"),
        ["password"] = Get("POSTGRES_PASSWORD"),
    }, extra));

    public static object MariaDb(string name, object? extra = null) => Body(name, "mysql", Merge(new Dictionary<string, object?>
    {
        ["host"] = Get("MARIADB_HOST"),
        ["port"] = Port("MARIADB_PORT"),
        ["database"] = Get("MARIADB_DATABASE"),
        ["username"] = Get("MARIADB_USER"),
        ["password"] = Get("MARIADB_PASSWORD"),
    }, extra));

    public static object Sqlite(string name, string path, object? extra = null) => Body(name, "sqlite", Merge(new Dictionary<string, object?>
    {
        ["path"] = path,
        ["create_if_missing"] = true,
    }, extra));

    public static object Redis(string name, object? extra = null) => Body(name, "redis", Merge(new Dictionary<string, object?>
    {
        ["host"] = Get("REDIS_HOST"),
        ["port"] = Port("REDIS_PORT"),
        ["password"] = Get("REDIS_PASSWORD"),
    }, extra));

    public static object S3(string name, object? extra = null) => Body(name, "minio", Merge(new Dictionary<string, object?>
    {
        ["endpoint"] = Get("S3_ENDPOINT"),
        ["access_key"] = Get("S3_ACCESS_KEY"),
        ["secret_key"] = Get("S3_SECRET_KEY"),
        ["bucket"] = Get("S3_BUCKET"),
        ["region"] = Get("S3_REGION"),
    }, extra));

    public static object Ftp(string name, string protocol, object? extra = null) => Body(name, "ftp", Merge(new Dictionary<string, object?>
    {
        ["host"] = Get("FTP_HOST"),
        ["port"] = Port("FTP_PORT"),
        ["username"] = Get("FTP_USER"),
        ["password"] = Get("FTP_PASSWORD"),
        ["protocol"] = protocol,
    }, extra));

    public static object Sftp(string name, object? extra = null) => Body(name, "ftp", Merge(new Dictionary<string, object?>
    {
        ["host"] = Get("SFTP_HOST"),
        ["port"] = Port("SFTP_PORT"),
        ["username"] = Get("SFTP_USER"),
        ["protocol"] = "sftp",
        ["host_key_fingerprint"] = Get("SFTP_HOST_KEY_FINGERPRINT"),
    }, extra));

    public static object Smtp(string name, object? extra = null) => Body(name, "email", Merge(new Dictionary<string, object?>
    {
        ["host"] = Get("SMTP_HOST"),
        ["port"] = Port("SMTP_PORT"),
        ["username"] = Get("SMTP_USER"),
        ["password"] = Get("SMTP_PASSWORD"),
        ["encryption"] = "starttls",
        ["ca_cert_path"] = CaCert,
        ["from_address"] = "edge@example.test",
    }, extra));

    // ----- server control -----

    /// <summary>Kills one server (by its recorded PID) and waits until it is gone.</summary>
    public static async Task KillAsync(string server)
    {
        var pidFile = Path.Combine(Dir, "run", PidName(server) + ".pid");
        var pid = int.Parse(File.ReadAllText(pidFile).Split(' ', 2)[0].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        using (var process = Process.GetProcessById(pid))
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        // Servers that fork (postgres, mariadbd's threads, sshd) can accept a moment longer: wait until the port refuses.
        var port = Port(server switch
        {
            "postgres" => "POSTGRES_PORT",
            "mariadb" => "MARIADB_PORT",
            "redis" => "REDIS_PORT",
            "ftp" => "FTP_PORT",
            "sftp" => "SFTP_PORT",
            "smtp" => "SMTP_PORT",
            _ => "S3_PORT",
        });
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            using var probe = new System.Net.Sockets.TcpClient();
            try
            {
                await probe.ConnectAsync("127.0.0.1", port);
            }
            catch (System.Net.Sockets.SocketException)
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new InvalidOperationException($"{server} still accepts connections on port {port} 10 s after it was killed");
    }

    /// <summary>Starts every server that is down again (scripts/services.sh start) and waits for it to answer.</summary>
    public static async Task RestartAsync()
    {
        var script = Path.Combine(RepoRoot(), "scripts", "services.sh");
        var start = new ProcessStartInfo("bash", [script, "start"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["EDGE_SERVICES_DIR"] = Dir;
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        _ = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"services.sh start failed ({process.ExitCode}): {await stderr}");
        }
    }

    /// <summary>
    /// The PID file's name: Swift S3 is five processes (proxy, account, container, object, memcached); its proxy
    /// alone serves port 9000, so killing it takes the store down, and services.sh start brings back what is gone.
    /// </summary>
    private static string PidName(string server) => server == "s3" ? "s3-proxy" : server;

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "scripts", "services.sh")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("cannot find the repository root (scripts/services.sh) above " + AppContext.BaseDirectory);
    }

    private static object Body(string name, string type, Dictionary<string, object?> config) =>
        new Dictionary<string, object?> { ["name"] = name, ["service_type"] = type, ["config"] = config };

    private static Dictionary<string, object?> Merge(Dictionary<string, object?> config, object? extra)
    {
        if (extra is null)
        {
            return config;
        }

        if (extra is IReadOnlyDictionary<string, object?> map)
        {
            foreach (var (k, v) in map)
            {
                config[k] = v;
            }

            return config;
        }

        foreach (var property in extra.GetType().GetProperties())
        {
            config[property.Name] = property.GetValue(extra);
        }

        return config;
    }

    private static IReadOnlyDictionary<string, string> Load()
    {
        var file = Path.Combine(Dir, "services.env");
        if (!File.Exists(file))
        {
            throw new InvalidOperationException(
                $"{file} is missing: the connector tests need the real servers; run scripts/test.sh (or scripts/services.sh start) first");
        }

        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadAllLines(file))
        {
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (line.StartsWith('#') || eq <= 0)
            {
                continue;
            }

            settings[line[..eq]] = line[(eq + 1)..];
        }

        return settings;
    }
}
