using Edge.Gateway.Admin;
using Edge.Gateway.Config;
using Edge.Gateway.Handlers;
using Edge.Gateway.Routing;
using Edge.Sdk;
using Edge.Services;
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
            // HTTP/1.x response header names go out lower-cased, as HTTP/2 sends them.
            kestrel.Listen(options.Bind, options.Port, listen => listen.Use(LowercaseHeaderWriter.Middleware));
            kestrel.Listen(options.AdminBind, options.AdminPort, listen => listen.Use(LowercaseHeaderWriter.Middleware));
            if (options.H2cPort is { } h2c)
            {
                kestrel.Listen(options.Bind, h2c, listen => listen.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http2);
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
}
