using System.Globalization;
using System.Text.Json;
using Edge.Gateway.Config;
using Edge.Gateway.Handlers;

namespace Edge.Gateway.Admin;

/// <summary>
/// An endpoint's recent log: <c>GET /api/endpoints/{id}/logs</c> (the newest lines, or those after a sequence
/// number) and <c>GET /api/endpoints/{id}/logs/stream</c>, a live tail as server-sent events.
/// </summary>
internal static class LogsApi
{
    /// <summary>A comment line sent on an idle stream, so proxies and the page see it is alive.</summary>
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/endpoints/{id}/logs", (string id, HttpRequest request, ConfigStore store, EndpointManager manager) =>
        {
            if (store.GetEndpoint(id) is null)
            {
                return AdminJson.NotFound("endpoint", id);
            }

            var problems = new List<string>();
            var limit = (int)Number(request.Query, "limit", 100, 1, EndpointLog.DefaultCapacity, problems);
            var after = request.Query.ContainsKey("after") ? Number(request.Query, "after", 0, 0, long.MaxValue, problems) : (long?)null;
            if (problems.Count > 0)
            {
                return AdminJson.Fail(StatusCodes.Status400BadRequest, "invalid request: " + string.Join("; ", problems));
            }

            var log = manager.LogOf(id);
            var lines = after is { } seq ? log.After(seq, limit) : log.Recent(limit);
            return AdminJson.Ok(lines.Select(View));
        });

        api.MapGet("/endpoints/{id}/logs/stream", async (string id, HttpContext http, ConfigStore store, EndpointManager manager, IHostApplicationLifetime lifetime) =>
        {
            if (store.GetEndpoint(id) is null)
            {
                await AdminJson.NotFound("endpoint", id).ExecuteAsync(http);
                return;
            }

            // Where to start: Last-Event-ID (a reconnect), else ?after=, else the newest ?limit= lines (default 100).
            var problems = new List<string>();
            var query = http.Request.Query;
            var log = manager.LogOf(id);
            long seq;
            var lastEventId = http.Request.Headers["Last-Event-ID"].ToString();
            if (lastEventId.Length > 0)
            {
                if (!long.TryParse(lastEventId, NumberStyles.None, CultureInfo.InvariantCulture, out seq))
                {
                    problems.Add($"Last-Event-ID: must be a log sequence number, got '{lastEventId}'");
                }
            }
            else if (query.ContainsKey("after"))
            {
                seq = Number(query, "after", 0, 0, long.MaxValue, problems);
            }
            else
            {
                seq = Math.Max(0, log.LastSeq - Number(query, "limit", 100, 0, EndpointLog.DefaultCapacity, problems));
            }

            if (problems.Count > 0)
            {
                await AdminJson.Fail(StatusCodes.Status400BadRequest, "invalid request: " + string.Join("; ", problems)).ExecuteAsync(http);
                return;
            }

            var response = http.Response;
            response.ContentType = "text/event-stream; charset=utf-8";
            response.Headers["X-Accel-Buffering"] = "no";
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
            try
            {
                // Tells the browser how long to wait before reconnecting; the first bytes also start the response.
                await response.WriteAsync("retry: 2000\n\n", stop.Token);
                await response.Body.FlushAsync(stop.Token);
                while (!stop.IsCancellationRequested)
                {
                    foreach (var line in log.After(seq, EndpointLog.DefaultCapacity))
                    {
                        var data = JsonSerializer.Serialize(View(line), AdminJson.Options);
                        await response.WriteAsync($"id: {line.Seq.ToString(CultureInfo.InvariantCulture)}\ndata: {data}\n\n", stop.Token);
                        seq = line.Seq;
                    }

                    await response.Body.FlushAsync(stop.Token);
                    if (!await log.WaitAfterAsync(seq, Heartbeat, stop.Token))
                    {
                        await response.WriteAsync(": heartbeat\n\n", stop.Token);
                        await response.Body.FlushAsync(stop.Token);
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // The client went away, or the gateway is stopping: the stream just ends.
            }
        });
    }

    private static LogLineView View(EndpointLogEntry l) =>
        new(l.Seq, l.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture), l.Level, l.Message, l.RequestId);

    private static long Number(IQueryCollection query, string name, long fallback, long min, long max, List<string> problems)
    {
        if (!query.TryGetValue(name, out var raw))
        {
            return fallback;
        }

        if (long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        problems.Add(max == long.MaxValue
            ? $"{name}: must be a non-negative integer, got '{raw}'"
            : $"{name}: must be an integer between {min} and {max}, got '{raw}'");
        return fallback;
    }
}
