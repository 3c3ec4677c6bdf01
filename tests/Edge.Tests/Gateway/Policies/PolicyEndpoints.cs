using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Policies;

/// <summary>Deploys test endpoints and sets their policy fields through the admin API.</summary>
internal static class PolicyEndpoints
{
    /// <summary>Answers the client IP the gateway resolved.</summary>
    public const string ClientIp = """
        Response Handle(Context ctx, Request req) => Response.Text(200, req.ClientIp ?? "none");
        """;

    /// <summary>Counts its calls (per loaded version) and answers the count.</summary>
    public const string Counter = """
        static int calls;
        Response Handle(Context ctx, Request req) => Response.Text(200, System.Threading.Interlocked.Increment(ref calls).ToString());
        """;

    /// <summary>Waits ?ms= milliseconds (default 1000); ?report answers the most calls it ever had in flight at once.</summary>
    public const string Slow = """
        static int inFlight, peak;
        async Task<Response> Handle(Context ctx, Request req)
        {
            if (req.QueryParam("report") is not null)
            {
                return Response.Text(200, System.Threading.Volatile.Read(ref peak).ToString());
            }

            var now = System.Threading.Interlocked.Increment(ref inFlight);
            int seen;
            while ((seen = System.Threading.Volatile.Read(ref peak)) < now && System.Threading.Interlocked.CompareExchange(ref peak, now, seen) != seen)
            {
            }

            try
            {
                await Task.Delay(int.Parse(req.QueryParam("ms") ?? "1000"), ctx.RequestAborted);
                return Response.Text(200, "slow");
            }
            finally
            {
                System.Threading.Interlocked.Decrement(ref inFlight);
            }
        }
        """;

    public static async Task<(string Id, string Path)> DeployAsync(EdgeProcess edge, string code, object policies, string method = "GET")
    {
        var path = Unique.Path();
        var id = await edge.Admin.DeployNewAsync(new EndpointSpec { Path = path, Method = method, Code = code });
        (await edge.Admin.UpdateEndpointAsync(id, policies)).ShouldSucceed();
        return (id, path);
    }
}
