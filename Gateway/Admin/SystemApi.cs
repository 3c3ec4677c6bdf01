using Edge.Gateway.Config;
using Edge.Gateway.Handlers;
using Edge.Gateway.Hosting;

namespace Edge.Gateway.Admin;

/// <summary><c>/api/health</c> (no token), <c>/api/whoami</c>, <c>/api/stats</c> and <c>POST /api/shutdown</c>.</summary>
internal static class SystemApi
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/health", () => AdminJson.Ok(new { Status = "healthy", Version = EdgeVersion.Current }));

        // Any valid credential may ask (AdminAuthMiddleware skips the scope check): the page's sign-in uses it.
        api.MapGet("/whoami", (HttpContext http) =>
        {
            var caller = AdminCaller.Of(http);
            return AdminJson.Ok(new { caller.Name, Kind = caller.KeyId is null ? "root" : "admin_key", caller.Scopes, caller.ExpiresAt });
        });

        // Graceful: the answer goes out first, then the host stops accepting, drains in-flight requests and exits 0.
        api.MapPost("/shutdown", (HttpContext http, IHostApplicationLifetime lifetime) =>
        {
            http.Response.OnCompleted(() =>
            {
                lifetime.StopApplication();
                return Task.CompletedTask;
            });
            return AdminJson.Ok(new { Status = "stopping" }, StatusCodes.Status202Accepted);
        });

        api.MapGet("/stats", (ConfigStore store, EndpointManager manager, TimeProvider time, GatewayClock clock, Bus.BusHub bus) =>
        {
            var endpoints = store.ListEndpoints();
            var registry = manager.Registry.Stats();
            return AdminJson.Ok(new
            {
                EndpointsTotal = endpoints.Count,
                EndpointsRunning = endpoints.Count(e => e.Status == EndpointStatus.Running),
                RequestsHandled = manager.Registry.RequestsHandled,
                UptimeSeconds = (long)(time.GetUtcNow() - clock.StartedAt).TotalSeconds,
                LoadedCount = registry.Loaded,
                DrainingCount = registry.Draining,
                ActiveRequests = registry.ActiveRequests,
                DrainingRequests = registry.DrainingRequests,
                ContextsAlive = registry.ContextsAlive,
                UnloadedTotal = registry.UnloadedTotal,
                WorkingSetBytes = Environment.WorkingSet,
                ManagedHeapBytes = GC.GetTotalMemory(false),
                Bus = new
                {
                    Subscribers = bus.SubscriberCount,
                    Topics = bus.TopicCount,
                    Published = bus.Published,
                    Delivered = bus.Delivered,
                    Dropped = bus.Dropped,
                    DispatchInFlight = bus.Caller?.DispatchInFlight ?? 0,
                    Bridge = bus.Bridge is { } bridge
                        ? new { Service = bridge.ServiceName, bridge.Connected, bridge.Sent, bridge.Received, bridge.Failed }
                        : null,
                },
            });
        });
    }
}
