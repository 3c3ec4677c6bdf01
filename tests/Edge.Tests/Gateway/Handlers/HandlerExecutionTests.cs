using System.Diagnostics;
using System.Net;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Handlers;

/// <summary>Running handlers: forms, exceptions, timeouts and the endpoint log.</summary>
[Collection(GatewayCollection.Name)]
public sealed class HandlerExecutionTests(GatewayFixture fixture)
{
    private readonly EdgeProcess _edge = fixture.Edge;

    public static TheoryData<string> HandlerForms => new()
    {
        // top level, expression-bodied
        """Response Handle(Context ctx, Request req) => Response.Ok(new { form = "ok" });""",
        // top level, Task
        """
        async Task<Response> Handle(Context ctx, Request req)
        {
            await Task.Delay(1);
            return Response.Ok(new { form = "ok" });
        }
        """,
        // top level, ValueTask
        """ValueTask<Response> Handle(Context ctx, Request req) => ValueTask.FromResult(Response.Ok(new { form = "ok" }));""",
        // inside a class, with a helper and a record beside it
        """
        public class MyHandler
        {
            public Response Handle(Context ctx, Request req) => Response.Ok(Make());

            private static Shape Make() => new("ok");
        }

        public record Shape(string Form);
        """,
        // top level with helpers beside it
        """
        Response Handle(Context ctx, Request req) => Response.Ok(new Shape(Word()));

        static string Word() => string.Concat(new[] { 'o', 'k' });

        record Shape(string Form);
        """,
        // explicit usings are allowed too
        """
        using System.Text;

        Response Handle(Context ctx, Request req) => Response.Ok(new { form = new StringBuilder("o").Append('k').ToString() });
        """,
    };

    [Theory]
    [MemberData(nameof(HandlerForms))]
    public async Task Deploy_EachHandlerForm_Serves(string code)
    {
        // Arrange
        var path = Unique.Path("form");

        // Act
        await _edge.Admin.DeployNewAsync(new EndpointSpec { Path = path, Code = code });
        using var response = await _edge.Gateway.GetAsync(path);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
        (await response.JsonAsync()).Str("form").ShouldBe("ok");
    }

    [Fact]
    public async Task Handle_Throws_Returns500WithoutStackTrace()
    {
        // Arrange
        var path = Unique.Path("boom");
        await _edge.Admin.DeployNewAsync(new EndpointSpec { Path = path, Code = ThrowingHandler });

        // Act
        using var response = await _edge.Gateway.GetAsync(path);

        // Assert
        var body = await response.ShouldBeGatewayErrorAsync(HttpStatusCode.InternalServerError);
        var text = body.GetRawText();
        text.ShouldNotContain("   at ", Case.Sensitive, "no stack trace to the client");
        text.ShouldNotContain("Explode", Case.Sensitive, "no stack frames to the client");
        text.ShouldNotContain(".cs:line", Case.Sensitive, "no stack frames to the client");
    }

    [Fact]
    public async Task Handle_ReturnsNull_Returns500Json()
    {
        // Arrange
        var path = Unique.Path("null");
        await _edge.Admin.DeployNewAsync(new EndpointSpec { Path = path, Code = "Response Handle(Context ctx, Request req) => null!;" });

        // Act
        using var response = await _edge.Gateway.GetAsync(path);

        // Assert
        await response.ShouldBeGatewayErrorAsync(HttpStatusCode.InternalServerError);
    }

    [Fact]
    public async Task Handle_Throws_ExceptionWithStackTraceInEndpointLog()
    {
        // Arrange
        var path = Unique.Path("boom");
        var id = await _edge.Admin.DeployNewAsync(new EndpointSpec { Path = path, Code = ThrowingHandler });

        // Act
        using var response = await _edge.Gateway.GetAsync(path);
        var logs = await _edge.Admin.LogsAsync(id);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        var entry = logs.LastOrDefault(l => l.Message.Contains("secret-detail-1234", StringComparison.Ordinal));
        entry.Message.ShouldNotBeNull($"no log line with the exception: {string.Join(" | ", logs)}");
        entry.Level.ShouldBe("error");
        entry.Message.ShouldContain("InvalidOperationException");
        entry.Message.ShouldContain("Explode", Case.Sensitive, "the stack trace names the throwing method");
        entry.Message.ShouldContain(" at ", Case.Sensitive, "the stack trace is logged");
    }

    [Fact]
    public async Task Handle_Throws_GatewayAndOtherEndpointsUnaffected()
    {
        // Arrange
        var boom = Unique.Path("boom");
        var fine = Unique.Path("fine");
        await _edge.Admin.DeployNewAsync(new EndpointSpec { Path = boom, Code = ThrowingHandler });
        await _edge.Admin.DeployNewAsync(new EndpointSpec { Path = fine, Code = """Response Handle(Context ctx, Request req) => Response.Ok(new { fine = true });""" });

        // Act
        for (var i = 0; i < 5; i++)
        {
            using var failed = await _edge.Gateway.GetAsync(boom);
            failed.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        }

        using var response = await _edge.Gateway.GetAsync(fine);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await _edge.Admin.GetApiAsync("/api/health")).ShouldSucceed();
    }

    [Fact]
    public async Task Handle_ExceedsTimeout_Returns504AndCancelsToken()
    {
        // Arrange
        var path = Unique.Path("slow");
        var id = await _edge.Admin.DeployNewAsync(new EndpointSpec
        {
            Path = path,
            TimeoutMs = 300,
            Code = """
                async Task<Response> Handle(Context ctx, Request req)
                {
                    try
                    {
                        await Task.Delay(5000, ctx.RequestAborted);
                    }
                    catch (OperationCanceledException)
                    {
                        ctx.Log("token-was-cancelled");
                        throw;
                    }
                    return Response.Ok(new { late = true });
                }
                """,
        });
        var clock = Stopwatch.StartNew();

        // Act
        using var response = await _edge.Gateway.GetAsync(path);
        var elapsed = clock.Elapsed;

        // Assert
        await response.ShouldBeGatewayErrorAsync(HttpStatusCode.GatewayTimeout);
        elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(3), "504 comes at timeout_ms, not when the handler ends");
        var cancelled = await Eventually.HoldsAsync(
            async () => (await _edge.Admin.LogsAsync(id)).Any(l => l.Message.Contains("token-was-cancelled", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(5));
        cancelled.ShouldBeTrue("ctx.RequestAborted is cancelled at the timeout");
        var logs = await _edge.Admin.LogsAsync(id);
        logs.ShouldContain(l => l.Message.Contains("time", StringComparison.OrdinalIgnoreCase) && l.Level != "info", "the timeout is in the endpoint log");
    }

    [Fact]
    public async Task Handle_ManyTimeouts_EveryRequestAbortedTokenIsCancelled()
    {
        // Arrange
        const int requests = 12;
        var path = Unique.Path("slow-many");
        var id = await _edge.Admin.DeployNewAsync(new EndpointSpec
        {
            Path = path + "/{n}",
            TimeoutMs = 200,
            Code = """
                async Task<Response> Handle(Context ctx, Request req)
                {
                    var n = req.RequirePathParam<int>("n");
                    try
                    {
                        await Task.Delay(8000, ctx.RequestAborted);
                    }
                    catch (OperationCanceledException)
                    {
                        ctx.Log($"cancelled-{n}");
                        throw;
                    }
                    ctx.Log($"ran-to-end-{n}");
                    return Response.Ok(new { late = n });
                }
                """,
        });

        // Act
        var statuses = await Task.WhenAll(Enumerable.Range(0, requests).Select(async n =>
        {
            using var response = await _edge.Gateway.GetAsync($"{path}/{n}");
            return response.StatusCode;
        }));
        var allCancelled = await Eventually.HoldsAsync(
            async () => (await _edge.Admin.LogsAsync(id)).Count(l => l.Message.StartsWith("cancelled-", StringComparison.Ordinal)) == requests,
            TimeSpan.FromSeconds(4));
        var logs = await _edge.Admin.LogsAsync(id);

        // Assert
        statuses.ShouldAllBe(s => s == HttpStatusCode.GatewayTimeout);
        var cancelled = logs.Count(l => l.Message.StartsWith("cancelled-", StringComparison.Ordinal));
        allCancelled.ShouldBeTrue($"ctx.RequestAborted fired for {cancelled} of {requests} timed-out requests (the rest keep running to the end)");
    }

    [Fact]
    public async Task Handle_IgnoresCancellation_Still504AtTimeout()
    {
        // Arrange
        var path = Unique.Path("stubborn");
        await _edge.Admin.DeployNewAsync(new EndpointSpec
        {
            Path = path,
            TimeoutMs = 300,
            Code = """
                async Task<Response> Handle(Context ctx, Request req)
                {
                    await Task.Delay(4000);
                    return Response.Ok(new { late = true });
                }
                """,
        });
        var clock = Stopwatch.StartNew();

        // Act
        using var response = await _edge.Gateway.GetAsync(path);

        // Assert
        await response.ShouldBeGatewayErrorAsync(HttpStatusCode.GatewayTimeout);
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(2.5), "the client is not kept waiting for a handler that ignores its token");
    }

    [Fact]
    public async Task ContextLog_Levels_AppearInEndpointLogInOrder()
    {
        // Arrange
        var path = Unique.Path("log");
        var id = await _edge.Admin.DeployNewAsync(new EndpointSpec
        {
            Path = path,
            Code = """
                Response Handle(Context ctx, Request req)
                {
                    ctx.Log("marker-info-1");
                    ctx.LogWarning("marker-warn-2");
                    ctx.LogError("marker-error-3");
                    return Response.Ok(new { logged = 3 });
                }
                """,
        });

        // Act
        using var response = await _edge.Gateway.GetAsync(path);
        var raw = (await _edge.Admin.GetApiAsync($"/api/endpoints/{id}/logs")).ShouldSucceed();
        var logs = await _edge.Admin.LogsAsync(id);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var info = logs.ToList().FindIndex(l => l.Message.Contains("marker-info-1", StringComparison.Ordinal));
        var warn = logs.ToList().FindIndex(l => l.Message.Contains("marker-warn-2", StringComparison.Ordinal));
        var error = logs.ToList().FindIndex(l => l.Message.Contains("marker-error-3", StringComparison.Ordinal));
        info.ShouldBeGreaterThanOrEqualTo(0, raw.ToString());
        warn.ShouldBeGreaterThan(info, "newest last");
        error.ShouldBeGreaterThan(warn, "newest last");
        logs[info].Level.ShouldBe("info");
        logs[warn].Level.ShouldBe("warning");
        logs[error].Level.ShouldBe("error");
        raw.Items.All(e => e.TryGetProperty("time", out var t) && t.ValueKind == System.Text.Json.JsonValueKind.String).ShouldBeTrue($"every log line has a time: {raw}");
    }

    [Fact]
    public async Task Handle_ConcurrentRequests_AllSucceed()
    {
        // Arrange
        var path = Unique.Path("conc");
        await _edge.Admin.DeployNewAsync(new EndpointSpec
        {
            Path = path + "/{n}",
            Code = """
                async Task<Response> Handle(Context ctx, Request req)
                {
                    await Task.Delay(20);
                    return Response.Ok(new { n = req.RequirePathParam<int>("n") });
                }
                """,
        });

        // Act
        var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(async n =>
        {
            using var r = await _edge.Gateway.GetAsync($"{path}/{n}");
            return (n, r.StatusCode, body: await r.Content.ReadAsStringAsync());
        }));

        // Assert
        foreach (var (n, status, body) in results)
        {
            status.ShouldBe(HttpStatusCode.OK, body);
            body.ShouldBe($$"""{"n":{{n}}}""");
        }
    }

    [Fact]
    public async Task Handle_NoContentWithBody_SendsNoBody()
    {
        // Arrange: a body on a 204 must not break the response (Kestrel refuses one)
        var path = Unique.Path("nobody");
        await _edge.Admin.DeployNewAsync(new EndpointSpec
        {
            Path = path,
            Code = """Response Handle(Context ctx, Request req) => Response.Json(204, new { ignored = true }).WithHeader("X-Kept", "yes");""",
        });

        // Act
        using var response = await _edge.Gateway.GetAsync(path);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        response.Header("X-Kept").ShouldBe("yes");
        (await response.Content.ReadAsByteArrayAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task Head_OnGetRoute_HeadersWithoutBody()
    {
        // Arrange
        var path = Unique.Path("head");
        await _edge.Admin.DeployNewAsync(new EndpointSpec { Path = path, Code = """Response Handle(Context ctx, Request req) => Response.Text(200, req.Method);""" });

        // Act
        using var response = await _edge.Gateway.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentLength.ShouldBe(4);
        (await response.Content.ReadAsByteArrayAsync()).ShouldBeEmpty();
        response.Header("x-request-id").ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task Handle_RequiredParameterInvalid_ErrorBodyIsReadableJson()
    {
        // Arrange
        var path = Unique.Path("readable");
        await _edge.Admin.DeployNewAsync(new EndpointSpec
        {
            Path = path + "/{id}",
            Code = """Response Handle(Context ctx, Request req) => Response.Ok(new { id = req.RequirePathParam<long>("id") });""",
        });

        // Act
        using var response = await _edge.Gateway.GetAsync(path + "/abc");

        // Assert: the raw bytes, not only the parsed value: quotes are not escaped to \u0027
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldBe("""{"error":"path parameter 'id' must be a valid Int64"}""");
    }

    private const string ThrowingHandler = """
        Response Handle(Context ctx, Request req) => Explode();

        static Response Explode() => throw new InvalidOperationException("secret-detail-1234");
        """;
}
