using System.Net;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Bus;

/// <summary><c>ctx.Bus.RequestAsync</c> and <c>DispatchAsync</c>: endpoints calling each other in-process, by name.</summary>
[Collection(GatewayCollection.Name)]
public sealed class EndpointCallTests(GatewayFixture fixture)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly HttpClient _admin = fixture.Edge.Admin;
    private readonly HttpClient _gateway = fixture.Edge.Gateway;

    /// <summary>A caller that calls the endpoint named in <c>?target=</c> with <c>{a: 2, b: 3}</c> and reports what came back.</summary>
    private const string Caller = """
        async Task<Response> Handle(Context ctx, Request req)
        {
            var timeoutMs = req.QueryParam<int>("timeout_ms");
            var answer = await ctx.Bus.RequestAsync(req.RequireQueryParam("target"), new { a = 2, b = 3 },
                timeoutMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null);
            return Response.Text(200, $"{answer.Status} {answer.Headers["Content-Type"]} {answer.Body}");
        }
        """;

    [Fact]
    public async Task RequestAsync_RunningEndpoint_ItsResponseComesBack()
    {
        // Arrange
        var target = Unique.Name("sum");
        await DeployTargetAsync(target, """
            Response Handle(Context ctx, Request req)
            {
                var input = req.Json<Dictionary<string, int>>();
                return Response.Ok(new { sum = input["a"] + input["b"], method = req.Method, path = req.Path });
            }
            """, "/sum/target");
        var caller = await DeployCallerAsync();

        // Act
        using var response = await _gateway.GetAsync($"{caller}?target={target}");
        var body = await response.Content.ReadAsStringAsync();

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        body.ShouldStartWith("200 application/json; charset=utf-8 {\"sum\":5,\"method\":\"POST\",\"path\":\"/t-");
        body.ShouldEndWith("/sum/target\"}");
    }

    [Fact]
    public async Task RequestAsync_TargetThrowsHandlerError_TheCallerSeesItsStatus()
    {
        // Arrange
        var target = Unique.Name("conflict");
        await DeployTargetAsync(target, """Response Handle(Context ctx, Request req) => throw HandlerError.Conflict("already there");""");
        var caller = await DeployCallerAsync();

        // Act
        using var response = await _gateway.GetAsync($"{caller}?target={target}");
        var body = await response.Content.ReadAsStringAsync();

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.Conflict, body);
        body.ShouldContain("already there");
    }

    [Fact]
    public async Task RequestAsync_TargetThrows_500AndTheDetailsInItsLog()
    {
        // Arrange
        var target = Unique.Name("boom");
        var targetId = await DeployTargetAsync(target, """Response Handle(Context ctx, Request req) => throw new InvalidOperationException("kaboom");""");
        var caller = await DeployCallerAsync();

        // Act
        using var response = await _gateway.GetAsync($"{caller}?target={target}");
        var body = await response.Content.ReadAsStringAsync();

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.InternalServerError, body);
        body.ShouldContain($"endpoint '{target}' failed (see its log)");
        body.ShouldNotContain("kaboom");
        (await _admin.LogsAsync(targetId)).ShouldContain(l => l.Message.Contains("kaboom"));
    }

    [Fact]
    public async Task RequestAsync_UnknownEndpoint_404NamingIt()
    {
        // Arrange
        var caller = await DeployCallerAsync();

        // Act
        using var response = await _gateway.GetAsync($"{caller}?target=no-such-endpoint");
        var body = await response.Content.ReadAsStringAsync();

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound, body);
        body.ShouldContain("no endpoint named 'no-such-endpoint'");
    }

    [Fact]
    public async Task RequestAsync_EndpointNotRunning_503()
    {
        // Arrange: created, never deployed.
        var target = Unique.Name("idle");
        (await _admin.CreateEndpointAsync(new EndpointSpec
        {
            Path = Unique.Path(),
            Method = "POST",
            Name = target,
            Code = """Response Handle(Context ctx, Request req) => Response.Ok(null);""",
        })).ShouldSucceed();
        var caller = await DeployCallerAsync();

        // Act
        using var response = await _gateway.GetAsync($"{caller}?target={target}");
        var body = await response.Content.ReadAsStringAsync();

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, body);
        body.ShouldContain($"endpoint '{target}' is not running");
    }

    [Fact]
    public async Task RequestAsync_TargetTooSlow_504AfterTheGivenTimeoutAndTheTargetIsCancelled()
    {
        // Arrange
        var target = Unique.Name("slow");
        var targetId = await DeployTargetAsync(target, """
            async Task<Response> Handle(Context ctx, Request req)
            {
                try
                {
                    await Task.Delay(10_000, ctx.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    ctx.Log("slow target cancelled");
                    throw;
                }

                return Response.Ok(null);
            }
            """);
        var caller = await DeployCallerAsync();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        // Act
        using var response = await _gateway.GetAsync($"{caller}?target={target}&timeout_ms=300");
        var elapsed = clock.Elapsed;
        var body = await response.Content.ReadAsStringAsync();

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.GatewayTimeout, body);
        body.ShouldContain($"endpoint '{target}' did not answer within 300 ms");
        elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));
        (await Eventually.HoldsAsync(async () => (await _admin.LogsAsync(targetId)).Any(l => l.Message == "slow target cancelled"), Wait)).ShouldBeTrue();
    }

    [Fact]
    public async Task RequestAsync_EndpointCallsItself_508AtTheDepthLimit()
    {
        // Arrange
        var name = Unique.Name("loop");
        var path = Unique.Path();
        await _admin.DeployNewAsync(new EndpointSpec
        {
            Path = path,
            Method = "POST",
            Name = name,
            Code = $$"""
                async Task<Response> Handle(Context ctx, Request req)
                {
                    var depth = string.IsNullOrEmpty(req.Body) ? 0 : int.Parse(req.Body);
                    ctx.State.Increment("{{name}}-calls");
                    return await ctx.Bus.RequestAsync("{{name}}", (depth + 1).ToString(), null);
                }
                """,
        });
        var counter = Unique.Path();
        await _admin.DeployNewAsync(new EndpointSpec
        {
            Path = counter,
            Code = $$"""Response Handle(Context ctx, Request req) => Response.Ok(new { calls = ctx.State.Get<long>("{{name}}-calls") });""",
        });

        // Act
        using var response = await _gateway.PostAsync(path, new StringContent(""));
        var body = await response.Content.ReadAsStringAsync();
        var calls = await _gateway.GetStringAsync(counter);

        // Assert: the HTTP request and 8 nested calls ran; the 9th call was refused.
        ((int)response.StatusCode).ShouldBe(508, body);
        body.ShouldContain("bus call depth limit of 8 reached");
        calls.ShouldBe("{\"calls\":9}");
    }

    [Fact]
    public async Task RequestAsync_TargetAnswersWithAStream_RefusedWithAClearError()
    {
        // Arrange
        var target = Unique.Name("streamer");
        await DeployTargetAsync(target, """Response Handle(Context ctx, Request req) => Response.Stream(200, async s => await s.WriteAsync("x"));""");
        var caller = await DeployCallerAsync();

        // Act
        using var response = await _gateway.GetAsync($"{caller}?target={target}");
        var body = await response.Content.ReadAsStringAsync();

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.InternalServerError, body);
        body.ShouldContain("answered with a stream response; RequestAsync carries buffered responses only");
    }

    [Fact]
    public async Task DispatchAsync_RunningEndpoint_RunsInTheBackgroundAndFailuresGoToItsLog()
    {
        // Arrange
        var target = Unique.Name("worker");
        var key = Unique.Name("job");
        var targetId = await DeployTargetAsync(target, """
            async Task<Response> Handle(Context ctx, Request req)
            {
                var job = req.Json<Dictionary<string, string>>();
                if (job["key"] == "fail") { throw new InvalidOperationException("job failed on purpose"); }
                await Task.Delay(200);
                ctx.State.Set(job["key"], "done by " + req.Header("X-Edge-Bus"));
                return Response.Accepted(null);
            }
            """);
        var dispatcher = Unique.Path();
        await _admin.DeployNewAsync(new EndpointSpec
        {
            Path = dispatcher,
            Code = $$"""
                async Task<Response> Handle(Context ctx, Request req)
                {
                    await ctx.Bus.DispatchAsync("{{target}}", new { key = req.RequireQueryParam("key") });
                    return Response.Accepted(new { queued = true });
                }
                """,
        });
        var reader = Unique.Path();
        await _admin.DeployNewAsync(new EndpointSpec
        {
            Path = reader,
            Code = """Response Handle(Context ctx, Request req) => Response.Text(200, ctx.State.Get<string>(req.RequireQueryParam("key")) ?? "pending");""",
        });

        // Act
        using var queued = await _gateway.GetAsync($"{dispatcher}?key={key}");
        var immediately = await _gateway.GetStringAsync($"{reader}?key={key}");
        var ran = await Eventually.HoldsAsync(async () => await _gateway.GetStringAsync($"{reader}?key={key}") == "done by bus dispatch", Wait);
        using var failing = await _gateway.GetAsync($"{dispatcher}?key=fail");
        var logged = await Eventually.HoldsAsync(async () => (await _admin.LogsAsync(targetId)).Any(l => l.Message.Contains("job failed on purpose")), Wait);

        // Assert
        queued.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        immediately.ShouldBe("pending");
        ran.ShouldBeTrue();
        failing.StatusCode.ShouldBe(HttpStatusCode.Accepted, "the dispatcher does not wait for the outcome");
        logged.ShouldBeTrue();
    }

    [Fact]
    public async Task DispatchAsync_UnknownEndpoint_404ToTheDispatcher()
    {
        // Arrange
        var dispatcher = Unique.Path();
        await _admin.DeployNewAsync(new EndpointSpec
        {
            Path = dispatcher,
            Code = """
                async Task<Response> Handle(Context ctx, Request req)
                {
                    await ctx.Bus.DispatchAsync("nobody-by-this-name", null);
                    return Response.Accepted(null);
                }
                """,
        });

        // Act
        using var response = await _gateway.GetAsync(dispatcher);
        var body = await response.Content.ReadAsStringAsync();

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound, body);
        body.ShouldContain("no endpoint named 'nobody-by-this-name'");
    }

    [Fact]
    public async Task RequestAsync_TheDocsCheckoutExample_AnswersWithTheQuotedTotal()
    {
        // Arrange: docs/bus.md, as written there (the target under a unique name).
        var quote = Unique.Name("price-quote");
        await DeployTargetAsync(quote, """
            Response Handle(Context ctx, Request req)
            {
                var order = req.Json<Order>();
                return Response.Ok(new { total = order.Quantity * 9.5m });
            }
            record Order(int Quantity);
            """);
        var checkout = Unique.Path("checkout");
        await _admin.DeployNewAsync(new EndpointSpec
        {
            Path = checkout,
            Code = $$"""
                async Task<Response> Handle(Context ctx, Request req)
                {
                    var quote = await ctx.Bus.RequestAsync("{{quote}}", new { quantity = 3 }, TimeSpan.FromSeconds(2));
                    if (quote.Status != 200) { return quote; }
                    var total = JsonDocument.Parse((string)quote.Body!).RootElement.GetProperty("total").GetDecimal();
                    return Response.Ok(new { total, currency = "EUR" });
                }
                """,
        });

        // Act
        var body = await _gateway.GetStringAsync(checkout);

        // Assert
        body.ShouldBe("{\"total\":28.5,\"currency\":\"EUR\"}");
    }

    private async Task<string> DeployTargetAsync(string name, string code, string pathSuffix = "") =>
        await _admin.DeployNewAsync(new EndpointSpec { Path = Unique.Path(pathSuffix), Method = "POST", Name = name, Code = code });

    private async Task<string> DeployCallerAsync()
    {
        var path = Unique.Path("caller");
        await _admin.DeployNewAsync(new EndpointSpec { Path = path, Code = Caller });
        return path;
    }
}
