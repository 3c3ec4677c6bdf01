using System.Net.Sockets;
using Edge.Gateway.Admin;
using Edge.Gateway.Config;
using Edge.Gateway.Handlers;
using Edge.Services;

namespace Edge.Gateway.Hosting;

/// <summary>The request pipelines of the two ports, and the start/stop sequence.</summary>
internal static partial class GatewayApplicationExtensions
{
    /// <summary>
    /// Requests on the gateway port go straight to the gateway and never reach the admin pipeline.
    /// PERF: first in the pipeline, before routing: a gateway request costs one port comparison here.
    /// </summary>
    public static WebApplication MapGateway(this WebApplication app)
    {
        var gateway = app.Services.GetRequiredService<GatewayMiddleware>();
        var options = app.Services.GetRequiredService<EdgeOptions>();
        var (port, h2c, plain) = (options.Port, options.H2cPort ?? -1, options.HttpPort ?? -1);
        var redirect = options.HttpsRedirect;

        // The built-in /stream file routes exist only with --stream-storage; then they come before the route table.
        var streams = app.Services.GetService<Uploads.StreamFileRoutes>();
        app.Use(next => http =>
        {
            // HTTP/1.x connections carry a writer that lower-cases this request's response header names.
            http.Features.Get<LowercaseHeaderWriter>()?.Arm();
            var local = http.Connection.LocalPort;
            if (local == plain && redirect)
            {
                return RedirectToHttpsAsync(http, port);
            }

            if (local != port && local != h2c && local != plain)
            {
                return next(http);
            }

            return streams is not null && Uploads.StreamFileRoutes.Matches(http) ? streams.InvokeAsync(http) : gateway.InvokeAsync(http);
        });
        return app;
    }

    /// <summary>308 to the same host, path and query on the HTTPS port (308 keeps the method and body).</summary>
    private static Task RedirectToHttpsAsync(HttpContext http, int httpsPort)
    {
        var request = http.Request;
        var host = request.Host.Host;
        if (string.IsNullOrEmpty(host))
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            return http.Response.WriteAsync("a Host header is needed to redirect to HTTPS");
        }

        var authority = httpsPort == 443 ? host : $"{(host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host)}:{httpsPort}";
        http.Response.StatusCode = StatusCodes.Status308PermanentRedirect;
        http.Response.Headers.Location = $"https://{authority}{request.PathBase}{request.Path}{request.QueryString}";
        return Task.CompletedTask;
    }

    /// <summary>The admin port: the admin page, bearer-token check, error envelope, then the admin API.</summary>
    public static WebApplication MapAdmin(this WebApplication app)
    {
        var token = app.Services.GetRequiredService<AdminTokenHolder>().Token;
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Edge.Admin");
        app.Use((http, next) =>
        {
            // Every admin answer, 401s included: no sniffing, no framing, no referrer, no caching of API data.
            var headers = http.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers.CacheControl = "no-store";
            headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";
            return next(http);
        });
        // The page before the token check: it is public, and holds no secret.
        app.UseMiddleware<AdminPage>(AdminAssets.FromAssembly(typeof(AdminPage).Assembly));
        app.UseMiddleware<AdminAuthMiddleware>(token);
        app.Use(async (http, next) =>
        {
            try
            {
                await next(http);
            }
            catch (StoreConflictException ex) when (!http.Response.HasStarted)
            {
                await AdminJson.Fail(StatusCodes.Status409Conflict, ex.Message).ExecuteAsync(http);
            }
            catch (BadHttpRequestException ex) when (!http.Response.HasStarted)
            {
                await AdminJson.Fail(ex.StatusCode, ex.Message).ExecuteAsync(http);
            }
            catch (Exception ex) when (!http.Response.HasStarted && !http.RequestAborted.IsCancellationRequested)
            {
                Log.AdminFailed(logger, http.Request.Method, http.Request.Path, ex);
                await AdminJson.Fail(StatusCodes.Status500InternalServerError, "internal error (see the gateway's log)").ExecuteAsync(http);
            }
        });
        app.UseRouting();
        AdminApi.Map(app);
        return app;
    }

    /// <summary>
    /// Loads every endpoint that was running (before any traffic is accepted), starts listening, and runs until
    /// SIGTERM/SIGINT, when in-flight requests get the shutdown timeout to finish. Returns the exit code.
    /// </summary>
    public static async Task<int> RunGatewayAsync(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<EdgeOptions>();
        app.Services.GetRequiredService<GatewayClock>();
        // Services first: handlers that start serving may use them at once.
        var serviceManager = app.Services.GetRequiredService<ServiceManager>();
        await serviceManager.LoadAsync();
        app.Lifetime.ApplicationStopped.Register(() => serviceManager.DisposeAsync().AsTask().GetAwaiter().GetResult());
        if (app.Services.GetRequiredService<Bus.BusHub>().Bridge is { } bridge)
        {
            // Never blocks the start: a missing service or a Redis that is down is logged and retried in the background.
            await bridge.StartAsync();
            app.Lifetime.ApplicationStopping.Register(() => bridge.DisposeAsync().AsTask().GetAwaiter().GetResult());
        }

        app.Services.GetRequiredService<EndpointManager>().LoadRunningEndpoints();
        try
        {
            await app.StartAsync();
        }
        catch (IOException ex) when (ex.InnerException is SocketException or Microsoft.AspNetCore.Connections.AddressInUseException || ex.Message.Contains("bind", StringComparison.OrdinalIgnoreCase))
        {
            await Console.Error.WriteLineAsync($"edge: cannot listen (gateway {options.Bind}:{options.Port}, admin {options.AdminBind}:{options.AdminPort}): {ex.Message}");
            return 1;
        }
        catch (SocketException ex)
        {
            await Console.Error.WriteLineAsync($"edge: cannot listen (gateway {options.Bind}:{options.Port}, admin {options.AdminBind}:{options.AdminPort}): {ex.Message}");
            return 1;
        }

        // Jit Roslyn off the request path, so the first real compile is a warm one.
        var compiler = app.Services.GetRequiredService<HandlerCompiler>();
        _ = Task.Run(compiler.WarmUp);

        Log.Started(app.Logger, EdgeVersion.Current, $"{options.Bind}:{options.Port}" + (options.H2cPort is { } h2cPort ? $", h2c {options.Bind}:{h2cPort}" : ""), $"{options.AdminBind}:{options.AdminPort}", options.DataDir);
        await app.WaitForShutdownAsync();
        return 0;
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.Started, LogLevel.Information, "edge {Version} serving: gateway on {Gateway}, admin on {Admin}, data in {DataDir}")]
        public static partial void Started(ILogger logger, string version, string gateway, string admin, string dataDir);

        [LoggerMessage(EventIds.AdminRequestFailed, LogLevel.Error, "Admin request {Method} {Path} failed")]
        public static partial void AdminFailed(ILogger logger, string method, string path, Exception exception);
    }
}
