using Edge.Gateway.Admin;
using Edge.Gateway.Config;
using Edge.Gateway.Handlers;
using Edge.Gateway.Routing;
using Edge.Sdk;
using Edge.Services;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging.Console;

namespace Edge.Gateway.Hosting;

/// <summary>Wires edge into a web application builder: data folder, store, token, services, Kestrel, logging.</summary>
internal static class GatewayServiceCollectionExtensions
{
    /// <summary>Returns a one-line failure (unusable data folder, unreadable store, bad token) or null.</summary>
    public static string? AddGateway(this WebApplicationBuilder builder, EdgeOptions options)
    {
        ConfigStore store;
        string token;
        bool generated;
        try
        {
            Directory.CreateDirectory(options.DataDir);
            Directory.CreateDirectory(options.CacheDir);
            var probe = Path.Combine(options.DataDir, ".write-probe");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"edge: data folder '{options.DataDir}' is not usable: {ex.Message}";
        }

        try
        {
            store = ConfigStore.Open(options.DatabasePath, TimeProvider.System);
        }
        catch (Exception ex)
        {
            return $"edge: cannot open the store {options.DatabasePath}: {ex.Message}";
        }

        try
        {
            (token, generated) = AdminToken.Resolve(options);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return $"edge: admin token: {ex.Message}";
        }

        if (generated)
        {
            // Printed once, at the start that created it; never logged again.
            Console.WriteLine($"edge: generated an admin token, stored in {options.TokenPath} (mode 0600):");
            Console.WriteLine(token);
        }

        CertificateSource? gatewayCertificate = null;
        CertificateSource? adminCertificate = null;
        ClientCertificateValidator? clients = null;
        try
        {
            if (options.TlsCert is { } cert)
            {
                gatewayCertificate = CertificateSource.Open(cert, options.TlsKey, options.TlsPassword, CertificatePoll);
            }

            if (options.AdminTlsCert is { } adminCert)
            {
                adminCertificate = CertificateSource.Open(adminCert, options.AdminTlsKey, options.TlsPassword, CertificatePoll);
            }

            if (options.ClientCa is { } ca)
            {
                clients = ClientCertificateValidator.Open(ca, TimeProvider.System);
            }
        }
        catch (InvalidOperationException ex)
        {
            return $"edge: {ex.Message}";
        }

        if (Uploads.StreamFileRoutes.Prepare(options) is { } storageFailure)
        {
            return storageFailure;
        }

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(store);
        services.AddSingleton(new AdminTokenHolder(token));
        services.AddSingleton(new CompileCache(options.CacheDir));
        services.AddSingleton<HandlerCompiler>();
        services.AddSingleton<HandlerRegistry>();
        services.AddSingleton<RouteTableHolder>();
        services.AddSingleton<TimeoutScheduler>();
        services.AddSingleton<EndpointManager>();
        services.AddSingleton<Import.Importer>();
        services.AddSingleton<GatewayMiddleware>();
        services.AddSingleton<GatewayClock>();
        services.AddSingleton(sp => new SharedStateStore(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new ServiceEnvironment(Path.Combine(options.DataDir, "services"), sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<ServiceManager>();
        services.AddSingleton<Keys.KeyRing>();
        services.AddSingleton<Bus.EndpointDirectory>();
        services.AddSingleton(sp =>
        {
            var hub = new Bus.BusHub();
            var serviceManager = sp.GetRequiredService<ServiceManager>();
            hub.Attach(new Bus.EndpointCaller(hub, sp.GetRequiredService<Bus.EndpointDirectory>(), sp.GetRequiredService<HandlerRegistry>(), serviceManager, sp.GetRequiredService<SharedStateStore>()));
            if (options.BusRedisService is { } redis)
            {
                hub.Attach(new Bus.RedisBusBridge(hub, serviceManager, redis, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Edge.Bus")));
            }

            return hub;
        });
        if (options.StreamStorage is not null)
        {
            services.AddSingleton<Uploads.StreamFileRoutes>();
        }

        services.Configure<HostOptions>(o => o.ShutdownTimeout = options.ShutdownTimeout);

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;

            // Body limits are per endpoint (max_body_bytes), enforced by the gateway itself.
            kestrel.Limits.MaxRequestBodySize = null;
            // Hardening: explicit limits on what a client may send and how slowly (slowloris, slow bodies).
            var limits = kestrel.Limits;
            limits.MaxRequestLineSize = 8 * 1024;
            limits.MaxRequestHeadersTotalSize = 32 * 1024;
            limits.MaxRequestHeaderCount = 100;
            limits.RequestHeadersTimeout = options.HeaderTimeout;
            limits.KeepAliveTimeout = TimeSpan.FromSeconds(120);
            limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));
            limits.MinResponseDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));

            var tlsLogger = kestrel.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Edge.Tls");
            var connections = options.MaxConnections > 0 ? new ConnectionLimit(options.MaxConnections) : null;
            kestrel.Listen(options.Bind, options.Port, listen => Configure(listen, connections, gatewayCertificate, clients, options.ClientCertMode, tlsLogger));
            kestrel.Listen(options.AdminBind, options.AdminPort, listen => Configure(listen, null, adminCertificate, null, ClientCertMode.None, tlsLogger));
            if (options.HttpPort is { } http)
            {
                kestrel.Listen(options.Bind, http, listen => Configure(listen, connections, null, null, ClientCertMode.None, tlsLogger));
            }

            if (options.H2cPort is { } h2c)
            {
                kestrel.Listen(options.Bind, h2c, listen =>
                {
                    listen.Protocols = HttpProtocols.Http2;
                    if (connections is not null)
                    {
                        listen.Use(connections.Wrap);
                    }
                });
            }
        });

        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";
            o.UseUtcTimestamp = true;
            o.ColorBehavior = LoggerColorBehavior.Disabled;
        });
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        return null;
    }

    /// <summary>How often certificate files are checked for a renewal.</summary>
    private static readonly TimeSpan CertificatePoll = TimeSpan.FromSeconds(2);

    private static void Configure(ListenOptions listen, ConnectionLimit? connections, CertificateSource? certificate, ClientCertificateValidator? clients, ClientCertMode mode, ILogger logger)
    {
        if (connections is not null)
        {
            // First: a connection over the limit costs no TLS handshake.
            listen.Use(connections.Wrap);
        }

        if (certificate is not null)
        {
            certificate.Logger = logger;
            TlsListener.Use(listen, certificate, clients, mode, logger);
        }

        // After TLS, so it sees plain HTTP/1.x: response header names go out lower-cased, as HTTP/2 sends them.
        listen.Use(LowercaseHeaderWriter.Middleware);
    }
}
