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
          --stream-storage S  storage of the built-in /stream upload/download routes: folder:<path> or s3:<service>
                              (EDGE_STREAM_STORAGE, default off: the routes do not exist; they are unauthenticated)
          --stream-max-bytes N  largest /stream/upload body                       (EDGE_STREAM_MAX_BYTES, default 10 GiB)
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
        string? streamStorage = env("EDGE_STREAM_STORAGE");
        string? streamMaxBytes = env("EDGE_STREAM_MAX_BYTES");

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
                case "--data" or "--port" or "--admin-port" or "--bind" or "--admin-bind" or "--h2c-port" or "--stream-storage" or "--stream-max-bytes":
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
                        case "--stream-storage": streamStorage = value; break;
                        case "--stream-max-bytes": streamMaxBytes = value; break;
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

        if (data is not null && string.IsNullOrWhiteSpace(data))
        {
            return Fail("--data must not be empty");
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

        var options = new EdgeOptions
        {
            DataDir = Path.GetFullPath(data ?? "data"),
            Port = p,
            AdminPort = ap,
            Bind = b,
            AdminBind = ab,
            H2cPort = h2c,
            StreamStorage = storage,
            StreamMaxBytes = maxStream,
            AdminToken = string.IsNullOrEmpty(env("EDGE_ADMIN_TOKEN")) ? null : env("EDGE_ADMIN_TOKEN"),
        };
        return new Result(options, null, 0);
    }

    private static Result Fail(string message) => new(null, $"edge: {message} (see edge --help)", 2);

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
