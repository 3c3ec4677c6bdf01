using System.Net;

namespace Edge.Gateway.Hosting;

/// <summary>Parses <c>edge [serve] [--data DIR] [--port N] ...</c>; flags beat EDGE_* variables, which beat defaults.</summary>
internal static class CommandLine
{
    public const string Usage = """
        usage: edge [serve] [options]
               edge import FILE --domain HOST [--compile --start]   (see edge import --help)

          --data DIR          data folder: edge.db, compile cache, admin-token   (EDGE_DATA, default ./data)
          --port N            gateway port                                        (EDGE_PORT, default 9080)
          --admin-port N      admin API port                                      (EDGE_ADMIN_PORT, default 9081)
          --bind ADDR         gateway bind address                                (EDGE_BIND, default 0.0.0.0)
          --admin-bind ADDR   admin bind address                                  (EDGE_ADMIN_BIND, default 127.0.0.1)
          --h2c-port N        an extra gateway port for HTTP/2 without TLS (prior knowledge)   (EDGE_H2C_PORT, default off)
          --tls-cert PEM      serve the gateway port over HTTPS (HTTP/1.1 + HTTP/2) with this certificate
                              (PEM, or a .pfx/.p12 file with EDGE_TLS_PASSWORD)   (EDGE_TLS_CERT; reloaded when the files change)
          --tls-key PEM       the certificate's private key                        (EDGE_TLS_KEY)
          --http-port N       with --tls-cert: an extra plain-HTTP gateway port    (EDGE_HTTP_PORT, default off)
          --https-redirect    the --http-port answers 308 to the HTTPS port         (EDGE_HTTPS_REDIRECT=1)
          --admin-tls-cert PEM, --admin-tls-key PEM
                              serve the admin port over HTTPS                       (EDGE_ADMIN_TLS_CERT, EDGE_ADMIN_TLS_KEY)
          --client-ca PEM     certificate authorities for client certificates (mTLS)   (EDGE_CLIENT_CA)
          --client-cert-mode none|optional|required
                              ask gateway TLS clients for a certificate             (EDGE_CLIENT_CERT_MODE, default none,
                                                                                    required when only --client-ca is given)
          --trusted-proxies CIDR,...
                              proxies whose X-Forwarded-For / Forwarded name the client   (EDGE_TRUSTED_PROXIES, default none)
          --max-concurrent-requests N
                              gateway requests in flight at most; more get 503      (EDGE_MAX_CONCURRENT_REQUESTS, default 0 = no limit)
          --max-connections N open connections per port at most                     (EDGE_MAX_CONNECTIONS, default 0 = no limit)
          --header-timeout S  seconds a client has to send its request headers      (EDGE_HEADER_TIMEOUT, default 10)
          --bus BACKEND       message bus: 'local' (in-process) or 'redis:NAME' (bridged through that redis service)   (EDGE_BUS, default local)
          --stream-storage S  storage of the built-in /stream upload/download routes: folder:<path> or s3:<service>
                              (EDGE_STREAM_STORAGE, default off: the routes do not exist)
          --stream-max-bytes N  largest /stream/upload body                       (EDGE_STREAM_MAX_BYTES, default 10 GiB)
          --stream-auth api_key|none
                              whether the /stream routes need a traffic key (scope * or stream)   (EDGE_STREAM_AUTH, default api_key)
          --endpoint-metrics on|off
                              per-endpoint request counts and latencies for the admin API   (EDGE_ENDPOINT_METRICS, default on)
          --version           print the version and exit
          --help              print this help and exit

          EDGE_ADMIN_TOKEN    admin bearer token (default: generated into DIR/admin-token, mode 0600)
        """;

    /// <summary>The outcome: options to run with, or a message and exit code to leave with.</summary>
    public readonly record struct Result(EdgeOptions? Options, string? Message, int ExitCode);

    public static Result Parse(string[] args, Func<string, string?> env)
    {
        string? data = env("EDGE_DATA");
        string? port = env("EDGE_PORT");
        string? adminPort = env("EDGE_ADMIN_PORT");
        string? bind = env("EDGE_BIND");
        string? adminBind = env("EDGE_ADMIN_BIND");
        string? h2cPort = env("EDGE_H2C_PORT");
        string? tlsCert = env("EDGE_TLS_CERT");
        string? tlsKey = env("EDGE_TLS_KEY");
        string? httpPort = env("EDGE_HTTP_PORT");
        var httpsRedirect = env("EDGE_HTTPS_REDIRECT") is "1" or "true";
        string? adminTlsCert = env("EDGE_ADMIN_TLS_CERT");
        string? adminTlsKey = env("EDGE_ADMIN_TLS_KEY");
        string? clientCa = env("EDGE_CLIENT_CA");
        string? clientCertMode = env("EDGE_CLIENT_CERT_MODE");
        string? trustedProxies = env("EDGE_TRUSTED_PROXIES");
        string? maxConcurrent = env("EDGE_MAX_CONCURRENT_REQUESTS");
        string? maxConnections = env("EDGE_MAX_CONNECTIONS");
        string? headerTimeout = env("EDGE_HEADER_TIMEOUT");
        string? bus = env("EDGE_BUS");
        string? streamStorage = env("EDGE_STREAM_STORAGE");
        string? streamMaxBytes = env("EDGE_STREAM_MAX_BYTES");
        string? streamAuth = env("EDGE_STREAM_AUTH");
        string? endpointMetrics = env("EDGE_ENDPOINT_METRICS");

        var i = 0;
        if (args.Length > 0 && args[0] == "serve")
        {
            i = 1;
        }

        for (; i < args.Length; i++)
        {
            var arg = args[i];
            string? inlineValue = null;
            var eq = arg.IndexOf('=');
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                inlineValue = arg[(eq + 1)..];
                arg = arg[..eq];
            }

            switch (arg)
            {
                case "--help" or "-h":
                    return new Result(null, Usage, 0);
                case "--version":
                    return new Result(null, $"edge {EdgeVersion.Current}", 0);
                case "--https-redirect":
                    httpsRedirect = true;
                    break;
                case "--data" or "--port" or "--admin-port" or "--bind" or "--admin-bind" or "--h2c-port"
                    or "--tls-cert" or "--tls-key" or "--http-port" or "--admin-tls-cert" or "--admin-tls-key" or "--client-ca" or "--client-cert-mode"
                    or "--trusted-proxies" or "--max-concurrent-requests" or "--max-connections" or "--header-timeout" or "--bus"
                    or "--stream-storage" or "--stream-max-bytes" or "--stream-auth" or "--endpoint-metrics":
                    var value = inlineValue;
                    if (value is null)
                    {
                        if (i + 1 >= args.Length)
                        {
                            return Fail($"option '{arg}' needs a value");
                        }

                        value = args[++i];
                    }

                    switch (arg)
                    {
                        case "--data": data = value; break;
                        case "--port": port = value; break;
                        case "--admin-port": adminPort = value; break;
                        case "--bind": bind = value; break;
                        case "--h2c-port": h2cPort = value; break;
                        case "--tls-cert": tlsCert = value; break;
                        case "--tls-key": tlsKey = value; break;
                        case "--http-port": httpPort = value; break;
                        case "--admin-tls-cert": adminTlsCert = value; break;
                        case "--admin-tls-key": adminTlsKey = value; break;
                        case "--client-ca": clientCa = value; break;
                        case "--client-cert-mode": clientCertMode = value; break;
                        case "--trusted-proxies": trustedProxies = value; break;
                        case "--max-concurrent-requests": maxConcurrent = value; break;
                        case "--max-connections": maxConnections = value; break;
                        case "--header-timeout": headerTimeout = value; break;
                        case "--bus": bus = value; break;
                        case "--stream-storage": streamStorage = value; break;
                        case "--stream-max-bytes": streamMaxBytes = value; break;
                        case "--stream-auth": streamAuth = value; break;
                        case "--endpoint-metrics": endpointMetrics = value; break;
                        default: adminBind = value; break;
                    }

                    break;
                default:
                    return Fail(arg.StartsWith('-') ? $"unknown option '{arg}'" : $"unexpected argument '{arg}'");
            }
        }

        if (!TryPort(port, EdgeOptions.DefaultPort, "--port", out var p, out var error) ||
            !TryPort(adminPort, EdgeOptions.DefaultAdminPort, "--admin-port", out var ap, out error) ||
            !TryAddress(bind, IPAddress.Any, "--bind", out var b, out error) ||
            !TryAddress(adminBind, IPAddress.Loopback, "--admin-bind", out var ab, out error))
        {
            return Fail(error!);
        }

        if (p == ap)
        {
            return Fail($"--port and --admin-port must differ (both are {p})");
        }

        int? h2c = null;
        if (h2cPort is not null)
        {
            if (!TryPort(h2cPort, 0, "--h2c-port", out var hp, out error))
            {
                return Fail(error!);
            }

            if (hp == p || hp == ap)
            {
                return Fail($"--h2c-port must differ from --port and --admin-port (got {hp})");
            }

            h2c = hp;
        }

        if (!TryTls(tlsCert, tlsKey, "--tls-cert", "--tls-key", out error) ||
            !TryTls(adminTlsCert, adminTlsKey, "--admin-tls-cert", "--admin-tls-key", out error))
        {
            return Fail(error!);
        }

        var mode = ClientCertMode.None;
        if (clientCertMode is not null && !Enum.TryParse(clientCertMode, ignoreCase: true, out mode))
        {
            return Fail($"--client-cert-mode must be none, optional or required, got '{clientCertMode}'");
        }

        if (clientCertMode is null && clientCa is not null)
        {
            mode = ClientCertMode.Required;
        }

        if (mode != ClientCertMode.None && (clientCa is null || tlsCert is null))
        {
            return Fail("--client-cert-mode optional|required needs --client-ca and --tls-cert");
        }

        int? plain = null;
        if (httpPort is not null)
        {
            if (tlsCert is null)
            {
                return Fail("--http-port is the plain port next to an HTTPS gateway: it needs --tls-cert");
            }

            if (!TryPort(httpPort, 0, "--http-port", out var hp, out error))
            {
                return Fail(error!);
            }

            if (hp == p || hp == ap || hp == h2c)
            {
                return Fail($"--http-port must differ from the other ports (got {hp})");
            }

            plain = hp;
        }

        if (httpsRedirect && plain is null)
        {
            return Fail("--https-redirect needs --http-port (the plain port that redirects) and --tls-cert");
        }

        if (!TryNetworks(trustedProxies, out var proxies, out error) ||
            !TryCount(maxConcurrent, "--max-concurrent-requests", 0, out var concurrent, out error) ||
            !TryCount(maxConnections, "--max-connections", 0, out var connections, out error) ||
            !TryCount(headerTimeout, "--header-timeout", 10, out var headerSeconds, out error))
        {
            return Fail(error!);
        }

        if (headerSeconds is < 1 or > 300)
        {
            return Fail($"--header-timeout must be 1 to 300 seconds, got {headerSeconds}");
        }

        if (data is not null && string.IsNullOrWhiteSpace(data))
        {
            return Fail("--data must not be empty");
        }

        if (!TryBus(bus, out var busRedis, out error))
        {
            return Fail(error!);
        }

        Uploads.StreamStorageSpec? storage = null;
        if (!string.IsNullOrEmpty(streamStorage) && !Uploads.StreamStorageSpec.TryParse(streamStorage, out storage, out error))
        {
            return Fail(error!);
        }

        var maxStream = Uploads.StreamStorageSpec.DefaultMaxBytes;
        if (streamMaxBytes is not null && !Uploads.StreamStorageSpec.TryParseMaxBytes(streamMaxBytes, out maxStream, out error))
        {
            return Fail(error!);
        }

        if (streamAuth is not null and not "api_key" and not "none")
        {
            return Fail($"--stream-auth must be api_key or none, got '{streamAuth}'");
        }

        if (endpointMetrics is not null and not "on" and not "off")
        {
            return Fail($"--endpoint-metrics must be on or off, got '{endpointMetrics}'");
        }

        var options = new EdgeOptions
        {
            BusRedisService = busRedis,
            DataDir = Path.GetFullPath(data ?? "data"),
            Port = p,
            AdminPort = ap,
            Bind = b,
            AdminBind = ab,
            H2cPort = h2c,
            TlsCert = Full(tlsCert),
            TlsKey = Full(tlsKey),
            AdminTlsCert = Full(adminTlsCert),
            AdminTlsKey = Full(adminTlsKey),
            TlsPassword = env("EDGE_TLS_PASSWORD"),
            ClientCa = Full(clientCa),
            ClientCertMode = mode,
            HttpPort = plain,
            HttpsRedirect = httpsRedirect,
            TrustedProxies = proxies,
            MaxConcurrentRequests = concurrent,
            MaxConnections = connections,
            HeaderTimeout = TimeSpan.FromSeconds(headerSeconds),
            StreamStorage = storage,
            StreamMaxBytes = maxStream,
            StreamAuth = streamAuth ?? Config.EndpointAuth.ApiKey,
            EndpointMetrics = endpointMetrics != "off",
            AdminToken = string.IsNullOrEmpty(env("EDGE_ADMIN_TOKEN")) ? null : env("EDGE_ADMIN_TOKEN"),
        };
        return new Result(options, null, 0);
    }

    /// <summary>A comma list of CIDR ranges or single addresses (an address alone is a /32 or /128).</summary>
    private static bool TryNetworks(string? text, out IReadOnlyList<IPNetwork> networks, out string? error)
    {
        error = null;
        var list = new List<IPNetwork>();
        networks = list;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (IPNetwork.TryParse(part, out var network))
            {
                list.Add(network);
            }
            else if (IPAddress.TryParse(part, out var address))
            {
                list.Add(new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                error = $"--trusted-proxies takes CIDR ranges or addresses (like 10.0.0.0/8,127.0.0.1), got '{part}'";
                return false;
            }
        }

        return true;
    }

    private static bool TryCount(string? text, string name, int fallback, out int value, out string? error)
    {
        error = null;
        value = fallback;
        if (text is null)
        {
            return true;
        }

        if (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value))
        {
            error = $"{name} must be a whole number of 0 or more, got '{text}'";
            return false;
        }

        return true;
    }

    private static string? Full(string? path) => path is null ? null : Path.GetFullPath(path);

    /// <summary>A PEM certificate needs its key; a PKCS#12 file (.pfx, .p12) carries it.</summary>
    private static bool TryTls(string? cert, string? key, string certName, string keyName, out string? error)
    {
        error = null;
        if (cert is null && key is not null)
        {
            error = $"{keyName} needs {certName}";
        }
        else if (cert is not null && key is null && !CertificateSource.IsPkcs12(cert))
        {
            error = $"{certName} {cert} is PEM: it needs {keyName} (or give a .pfx/.p12 file)";
        }
        else if (cert is not null && string.IsNullOrWhiteSpace(cert))
        {
            error = $"{certName} must not be empty";
        }

        return error is null;
    }

    private static Result Fail(string message) => new(null, $"edge: {message} (see edge --help)", 2);

    private static bool TryBus(string? text, out string? redisService, out string? error)
    {
        redisService = null;
        error = null;
        if (text is null || text is "local" or "")
        {
            return true;
        }

        if (text.StartsWith("redis:", StringComparison.Ordinal) && text.Length > "redis:".Length)
        {
            redisService = text["redis:".Length..];
            return true;
        }

        error = $"--bus must be 'local' or 'redis:<service name>', got '{text}'";
        return false;
    }

    private static bool TryPort(string? text, int fallback, string name, out int port, out string? error)
    {
        error = null;
        port = fallback;
        if (text is null)
        {
            return true;
        }

        if (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port) ||
            port is < 1 or > 65535)
        {
            error = $"{name} must be a port number between 1 and 65535, got '{text}'";
            return false;
        }

        return true;
    }

    private static bool TryAddress(string? text, IPAddress fallback, string name, out IPAddress address, out string? error)
    {
        error = null;
        address = fallback;
        if (text is null)
        {
            return true;
        }

        if (text == "localhost")
        {
            address = IPAddress.Loopback;
            return true;
        }

        if (!IPAddress.TryParse(text, out address!))
        {
            error = $"{name} must be an IP address (like 0.0.0.0 or 127.0.0.1), got '{text}'";
            return false;
        }

        return true;
    }
}
