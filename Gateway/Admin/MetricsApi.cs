using System.Globalization;
using Edge.Gateway.Config;
using Edge.Gateway.Handlers;
using Edge.Gateway.Hosting;

namespace Edge.Gateway.Admin;

/// <summary>
/// <c>GET /api/endpoints/{id}/metrics</c> (a time series) and <c>GET /api/metrics</c> (every endpoint over a window),
/// read from the per-second slots the gateway fills (<see cref="EndpointMetrics"/>).
/// </summary>
internal static class MetricsApi
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/endpoints/{id}/metrics", (string id, HttpRequest request, ConfigStore store, EndpointManager manager, EdgeOptions options) =>
        {
            if (store.GetEndpoint(id) is null)
            {
                return AdminJson.NotFound("endpoint", id);
            }

            var problems = new List<string>();
            var seconds = Number(request, "seconds", 300, EndpointMetrics.WindowSeconds, problems);
            var step = Number(request, "step", 5, EndpointMetrics.WindowSeconds, problems);
            if (problems.Count > 0)
            {
                return AdminJson.Fail(StatusCodes.Status400BadRequest, "invalid request: " + string.Join("; ", problems));
            }

            var last = EndpointMetrics.NowSecond;
            var first = last - seconds + 1;
            var slots = manager.Registry.Find(id)?.Metrics.Slots(first, last) ?? [];
            var start = first / step * step;
            var count = (int)(((last / step * step) - start) / step) + 1;
            var points = new MetricsAggregate[count];
            for (var i = 0; i < count; i++)
            {
                points[i] = new MetricsAggregate();
            }

            var totals = new MetricsAggregate();
            foreach (var slot in slots)
            {
                points[(slot.Second - start) / step].Add(slot);
                totals.Add(slot);
            }

            return AdminJson.Ok(new
            {
                EndpointId = id,
                Enabled = options.EndpointMetrics,
                StepSeconds = step,
                Seconds = seconds,
                Points = points.Select((p, i) => new
                {
                    T = start + (i * step),
                    p.Requests,
                    p.Errors,
                    p.ClientErrors,
                    P50Ms = p.Quantile(0.5),
                    P99Ms = p.Quantile(0.99),
                }),
                Totals = new { totals.Requests, totals.Errors, totals.ClientErrors, P50Ms = totals.Quantile(0.5), P99Ms = totals.Quantile(0.99) },
            });
        });

        api.MapGet("/metrics", (HttpRequest request, ConfigStore store, EndpointManager manager) =>
        {
            var problems = new List<string>();
            var seconds = Number(request, "seconds", 60, EndpointMetrics.WindowSeconds, problems);
            if (problems.Count > 0)
            {
                return AdminJson.Fail(StatusCodes.Status400BadRequest, "invalid request: " + string.Join("; ", problems));
            }

            var last = EndpointMetrics.NowSecond;
            var first = last - seconds + 1;
            return AdminJson.Ok(store.ListEndpoints().Select(e =>
            {
                var total = new MetricsAggregate();
                foreach (var slot in manager.Registry.Find(e.Id)?.Metrics.Slots(first, last) ?? [])
                {
                    total.Add(slot);
                }

                return new
                {
                    EndpointId = e.Id,
                    e.Name,
                    total.Requests,
                    total.Errors,
                    total.ClientErrors,
                    Rps = Math.Round(total.Requests / (double)seconds, 3),
                    ErrorRate = total.Requests == 0 ? 0 : Math.Round(total.Errors / (double)total.Requests, 4),
                    P50Ms = total.Quantile(0.5),
                    P99Ms = total.Quantile(0.99),
                };
            }));
        });
    }

    /// <summary>A query integer from 1 to <paramref name="max"/>, or <paramref name="fallback"/> when absent.</summary>
    private static int Number(HttpRequest request, string name, int fallback, int max, List<string> problems)
    {
        if (!request.Query.TryGetValue(name, out var raw))
        {
            return fallback;
        }

        if (int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= 1 && value <= max)
        {
            return value;
        }

        problems.Add($"{name}: must be an integer between 1 and {max}, got '{raw}'");
        return fallback;
    }
}
