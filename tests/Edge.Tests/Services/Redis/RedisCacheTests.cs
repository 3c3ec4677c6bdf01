using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Edge.Tests.Common;
using Xunit.Abstractions;

namespace Edge.Tests.Services.Redis;

/// <summary>
/// <c>ctx.Cache(name)</c> against the real Redis 7 (password, plain port and TLS port with the private CA), checked
/// from both sides with <c>redis-cli</c>; Redis killed and restarted under a running gateway.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class RedisCacheTests(GatewayFixture fixture, ITestOutputHelper output)
{
    private const string Handler = """
        async Task<Response> Handle(Context ctx, Request req)
        {
            var cache = ctx.Cache("__SERVICE__");
            var key = req.QueryParam("key") ?? "";
            var by = req.QueryParam<long>("by") ?? 1;
            switch (req.RequireQueryParam("op"))
            {
                case "get": return Response.Ok(new { value = await cache.GetAsync(key) });
                case "set": await cache.SetAsync(key, req.QueryParam("value") ?? "", req.QueryParam<int>("ttl")); return Response.Ok(new { stored = true });
                case "del": return Response.Ok(new { deleted = await cache.DeleteAsync(key) });
                case "exists": return Response.Ok(new { exists = await cache.ExistsAsync(key) });
                case "incr": return Response.Ok(new { value = await cache.IncrAsync(key, by) });
                case "decr": return Response.Ok(new { value = await cache.DecrAsync(key, by) });
                default: return Response.BadRequest("unknown op");
            }
        }
        """;

    private readonly EdgeProcess _edge = fixture.Edge;

    [Fact]
    public async Task Set_WithTtl_RedisCliSeesValueAndTtl()
    {
        // Arrange
        var path = await DeployAsync(await CreateServiceAsync());
        var key = Unique.Name("cache-ttl");

        // Act
        using var response = await CallAsync(path, "set", key, ("value", "hello redis"), ("ttl", "120"));

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
        (await RedisCli.RunAsync("GET", key)).ShouldBe("hello redis");
        (await RedisCli.NumberAsync("TTL", key)).ShouldBeInRange(1, 120);
    }

    [Fact]
    public async Task Set_WithoutTtl_NeverExpires()
    {
        // Arrange
        var path = await DeployAsync(await CreateServiceAsync());
        var key = Unique.Name("cache-forever");

        // Act
        using var response = await CallAsync(path, "set", key, ("value", "kept"));

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
        (await RedisCli.NumberAsync("TTL", key)).ShouldBe(-1);
    }

    [Fact]
    public async Task Get_ValueSetByRedisCli_ReturnsItAndNullWhenMissing()
    {
        // Arrange
        var path = await DeployAsync(await CreateServiceAsync());
        var key = Unique.Name("cache-get");
        await RedisCli.RunAsync("SET", key, "héllo wörld ✓");

        // Act
        var present = await JsonOkAsync(path, "get", key);
        var missing = await JsonOkAsync(path, "get", Unique.Name("cache-missing"));

        // Assert
        present.Str("value").ShouldBe("héllo wörld ✓");
        missing.GetProperty("value").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task IncrDecrExistsDelete_AgreeWithRedisCli()
    {
        // Arrange
        var path = await DeployAsync(await CreateServiceAsync());
        var key = Unique.Name("cache-count");

        // Act / Assert: each step seen from the other side
        (await JsonOkAsync(path, "incr", key, ("by", "5"))).Num("value").ShouldBe(5);
        (await RedisCli.RunAsync("GET", key)).ShouldBe("5");
        await RedisCli.RunAsync("INCRBY", key, "10");
        (await JsonOkAsync(path, "decr", key, ("by", "3"))).Num("value").ShouldBe(12);
        (await JsonOkAsync(path, "incr", key)).Num("value").ShouldBe(13);
        (await JsonOkAsync(path, "decr", key)).Num("value").ShouldBe(12);
        (await RedisCli.RunAsync("GET", key)).ShouldBe("12");
        (await JsonOkAsync(path, "exists", key)).Bool("exists").ShouldBeTrue();
        (await JsonOkAsync(path, "del", key)).Bool("deleted").ShouldBeTrue();
        (await RedisCli.NumberAsync("EXISTS", key)).ShouldBe(0);
        (await JsonOkAsync(path, "exists", key)).Bool("exists").ShouldBeFalse();
        (await JsonOkAsync(path, "del", key)).Bool("deleted").ShouldBeFalse();
        await RedisCli.RunAsync("SET", key, "from-cli");
        (await JsonOkAsync(path, "exists", key)).Bool("exists").ShouldBeTrue();
    }

    [Fact]
    public async Task Incr_OnNonNumber_Returns500WithRedisMessage()
    {
        // Arrange
        var name = await CreateServiceAsync();
        var path = await DeployAsync(name);
        var key = Unique.Name("cache-text");
        await RedisCli.RunAsync("SET", key, "not a number");

        // Act
        using var response = await CallAsync(path, "incr", key);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.InternalServerError, await response.DescribeAsync());
        var error = (await response.JsonAsync()).Str("error");
        error.ShouldContain("ERR value is not an integer");
        error.ShouldContain(name);
        (await RedisCli.RunAsync("GET", key)).ShouldBe("not a number");
    }

    [Theory]
    [InlineData("set", "", null, "key must not be empty")]
    [InlineData("get", "", null, "key must not be empty")]
    [InlineData("set", "k", "0", "ttlSeconds must be greater than 0")]
    [InlineData("set", "k", "-5", "ttlSeconds must be greater than 0")]
    public async Task BadKeyOrTtl_Returns400(string op, string key, string? ttl, string expected)
    {
        // Arrange
        var path = await DeployAsync(await CreateServiceAsync());
        (string, string)[] extra = ttl is null ? [("value", "v")] : [("value", "v"), ("ttl", ttl)];

        // Act
        using var response = await CallAsync(path, op, key, extra);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, await response.DescribeAsync());
        (await response.JsonAsync()).Str("error").ShouldContain(expected);
    }

    [Fact]
    public async Task LongKey_Returns400AndNothingIsWritten()
    {
        // Arrange
        var path = await DeployAsync(await CreateServiceAsync());
        var tooLong = Unique.Name("k") + new string('x', 1024);
        var longest = new string('y', 1024 - 20) + Unique.Name("k").PadLeft(20, 'z');

        // Act
        using var refused = await CallAsync(path, "set", tooLong, ("value", "v"));
        using var accepted = await CallAsync(path, "set", longest, ("value", "v"), ("ttl", "60"));

        // Assert
        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest, await refused.DescribeAsync());
        (await refused.JsonAsync()).Str("error").ShouldContain("at most 1024");
        (await RedisCli.NumberAsync("EXISTS", tooLong)).ShouldBe(0);
        accepted.StatusCode.ShouldBe(HttpStatusCode.OK, await accepted.DescribeAsync());
        (await RedisCli.RunAsync("GET", longest)).ShouldBe("v");
    }

    [Fact]
    public async Task ConcurrentFirstCalls_ShareOneConnection()
    {
        // Arrange: a fresh service, never used yet
        var name = await CreateServiceAsync();
        var path = await DeployAsync(name);
        var key = Unique.Name("cache-burst");

        // Act
        var statuses = await Task.WhenAll(Enumerable.Range(0, 40).Select(async _ =>
        {
            using var response = await CallAsync(path, "incr", key);
            return response.StatusCode;
        }));

        // Assert: one multiplexer = one connection (no pub/sub connection), whatever the burst
        statuses.ShouldAllBe(s => s == HttpStatusCode.OK);
        (await RedisCli.RunAsync("GET", key)).ShouldBe("40");
        var clients = (await RedisCli.RunAsync("CLIENT", "LIST")).Split('\n')
            .Count(l => l.Contains($" name=edge:{name} ", StringComparison.Ordinal));
        clients.ShouldBe(1);
    }

    [Fact]
    public async Task Tls_WithPrivateCa_WorksAndTestSaysTls()
    {
        // Arrange
        var name = Unique.Name("redis-tls");
        var id = await _edge.Admin.CreateServiceAsync(TestServices.Redis(name, new
        {
            port = TestServices.Port("REDIS_TLS_PORT"),
            use_tls = true,
            ca_cert_path = TestServices.CaCert,
        }));
        var path = await DeployAsync(name);
        var key = Unique.Name("cache-tls");

        // Act
        using var response = await CallAsync(path, "set", key, ("value", "over tls"), ("ttl", "60"));
        var probe = (await _edge.Admin.PostApiAsync($"/api/services/{id}/test")).ShouldSucceed().Data;

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
        (await RedisCli.RunAsync("GET", key)).ShouldBe("over tls");
        probe.Bool("connected").ShouldBeTrue(probe.ToString());
        probe.Str("message").ShouldContain("(TLS)");
    }

    [Fact]
    public async Task Tls_WithoutPrivateCa_FailsNamingTheCertificate()
    {
        // Arrange: the system roots do not know the test CA
        var name = Unique.Name("redis-tls-noca");
        var id = await _edge.Admin.CreateServiceAsync(TestServices.Redis(name, new { port = TestServices.Port("REDIS_TLS_PORT"), use_tls = true }));
        var path = await DeployAsync(name);

        // Act: the very first call may fail before the client library has recorded why (its message then only
        // says no connection is available); the reason shows once it has, so ask until it does
        using var response = await CallAsync(path, "get", Unique.Name("cache-tls"));
        var status = response.StatusCode;
        var error = (await response.JsonAsync()).Str("error");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (!error.Contains("certificate", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            using var again = await CallAsync(path, "get", Unique.Name("cache-tls"));
            status = again.StatusCode;
            error = (await again.JsonAsync()).Str("error");
        }

        var probe = (await _edge.Admin.PostApiAsync($"/api/services/{id}/test")).ShouldSucceed().Data;
        output.WriteLine($"{error}\n{probe}");

        // Assert
        status.ShouldBe(HttpStatusCode.ServiceUnavailable, error);
        error.ShouldContain(name);
        error.ShouldContain("certificate");
        probe.Bool("connected").ShouldBeFalse(probe.ToString());
        probe.Str("error").ShouldContain("certificate");
    }

    [Fact]
    public async Task Create_UnreadableCaFile_400NamingTheField()
    {
        // Act
        var response = await _edge.Admin.PostApiAsync("/api/services", TestServices.Redis(Unique.Name("redis-badca"), new
        {
            use_tls = true,
            ca_cert_path = "/nonexistent/ca.pem",
        }));

        // Assert
        response.ShouldFail(HttpStatusCode.BadRequest).ShouldNameFields("config.ca_cert_path");
    }

    [Fact]
    public async Task Test_LiveServer_ConnectedWithVersionAndLatency()
    {
        // Arrange
        var id = await _edge.Admin.CreateServiceAsync(TestServices.Redis(Unique.Name("redis-live")));

        // Act
        var probe = (await _edge.Admin.PostApiAsync($"/api/services/{id}/test")).ShouldSucceed().Data;
        output.WriteLine(probe.ToString());

        // Assert
        probe.Bool("connected").ShouldBeTrue(probe.ToString());
        probe.Str("message").ShouldStartWith("Redis 7.");
        probe.Str("message").ShouldContain("PING");
        probe.Num("latency_ms").ShouldBeGreaterThanOrEqualTo(0);
    }

    [Fact]
    public async Task Test_NothingListening_NotConnectedWithError()
    {
        // Arrange
        var port = FreePort.Next();
        var id = await _edge.Admin.CreateServiceAsync(TestServices.Redis(Unique.Name("redis-dead"), new { port }));
        var clock = Stopwatch.StartNew();

        // Act
        var probe = (await _edge.Admin.PostApiAsync($"/api/services/{id}/test")).ShouldSucceed().Data;

        // Assert
        output.WriteLine($"probe of a dead port answered in {clock.ElapsedMilliseconds} ms: {probe}");
        probe.Bool("connected").ShouldBeFalse(probe.ToString());
        probe.Str("error").ShouldContain($"127.0.0.1:{port}");
    }

    [Fact]
    public async Task WrongPassword_503AndSecretsNeverShown()
    {
        // Arrange
        var realPassword = TestServices.Get("REDIS_PASSWORD");
        var wrongPassword = "wrong-" + Guid.NewGuid().ToString("N");
        var goodName = Unique.Name("redis-good");
        var badName = Unique.Name("redis-badpw");
        var goodId = await _edge.Admin.CreateServiceAsync(TestServices.Redis(goodName));
        var badId = await _edge.Admin.CreateServiceAsync(TestServices.Redis(badName, new { password = wrongPassword }));
        var path = await DeployAsync(badName);

        // Act
        using var response = await CallAsync(path, "get", Unique.Name("cache-pw"));
        var body = await response.Content.ReadAsStringAsync();
        var probe = (await _edge.Admin.PostApiAsync($"/api/services/{badId}/test")).ShouldSucceed();
        output.WriteLine($"{(int)response.StatusCode} {body}\n{probe.Body}");
        var answers = new[]
        {
            probe.Body,
            (await _edge.Admin.PostApiAsync($"/api/services/{goodId}/test")).Body,
            (await _edge.Admin.PostApiAsync($"/api/services/{goodId}/activate")).Body,
            (await _edge.Admin.GetApiAsync($"/api/services/{goodId}")).Body,
            (await _edge.Admin.GetApiAsync($"/api/services/{badId}")).Body,
            (await _edge.Admin.GetApiAsync("/api/services")).Body,
        };

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, body);
        body.ShouldContain(badName);
        probe.Data.Bool("connected").ShouldBeFalse(probe.ToString());
        foreach (var text in answers.Append(body))
        {
            text.ShouldNotContain(realPassword);
            text.ShouldNotContain(wrongPassword);
        }

        _edge.StdOut.ShouldNotContain(realPassword);
        _edge.StdErr.ShouldNotContain(realPassword);
        _edge.StdOut.ShouldNotContain(wrongPassword);
        _edge.StdErr.ShouldNotContain(wrongPassword);
    }

    [Fact]
    public async Task Call_ServerSilent_504AtCallTimeout()
    {
        // Arrange: something accepts the TCP connection and never says a word
        using var silent = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var name = Unique.Name("redis-silent");
        await _edge.Admin.CreateServiceAsync(TestServices.Redis(name, new { port, call_timeout_ms = 700 }));
        var path = await DeployAsync(name);
        var clock = Stopwatch.StartNew();

        // Act
        using var response = await CallAsync(path, "get", Unique.Name("cache-silent"));

        // Assert
        var status = response.StatusCode;
        status.ShouldBeOneOf([HttpStatusCode.GatewayTimeout, HttpStatusCode.ServiceUnavailable], await response.DescribeAsync());
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(4));
        (await response.JsonAsync()).Str("error").ShouldContain(name);
    }

    [Fact]
    public async Task RedisKilled_MidTraffic_503NamingService_ThenRecoversWithoutRestartingEdge()
    {
        // Arrange: steady traffic from four clients for the whole test
        var name = await CreateServiceAsync();
        var path = await DeployAsync(name);
        var key = Unique.Name("cache-down");
        (await JsonOkAsync(path, "incr", key)).Num("value").ShouldBe(1);
        var edgePid = _edge.ProcessId;
        var seen = new ConcurrentDictionary<HttpStatusCode, int>();
        using var stopTraffic = new CancellationTokenSource();
        var traffic = Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stopTraffic.IsCancellationRequested)
            {
                using var response = await CallAsync(path, "incr", key + "-traffic");
                seen.AddOrUpdate(response.StatusCode, 1, (_, n) => n + 1);
            }
        })));
        await Task.Delay(300);

        try
        {
            // Act 1: the server dies under a running gateway
            var killing = Stopwatch.StartNew();
            await TestServices.KillAsync("redis");
            output.WriteLine($"killing Redis took {killing.ElapsedMilliseconds} ms");
            var killed = Stopwatch.StartNew();
            HttpStatusCode status;
            string body;
            do
            {
                var call = Stopwatch.StartNew();
                using var response = await CallAsync(path, "incr", key);
                status = response.StatusCode;
                body = await response.Content.ReadAsStringAsync();
                output.WriteLine($"{killed.ElapsedMilliseconds} ms after Redis was gone: {(int)status} in {call.ElapsedMilliseconds} ms");
            }
            while (status == HttpStatusCode.OK && killed.Elapsed < TimeSpan.FromSeconds(5));

            var downLatency = Stopwatch.StartNew();
            using (var again = await CallAsync(path, "incr", key))
            {
                again.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
            }

            output.WriteLine($"a call while down answers in {downLatency.ElapsedMilliseconds} ms: {body}");

            // Assert 1
            status.ShouldBe(HttpStatusCode.ServiceUnavailable, body);
            body.ShouldContain($"service '{name}' is unavailable");

            // Act 2: the server comes back; edge is not touched
            var restarting = Stopwatch.StartNew();
            await TestServices.RestartAsync();
            output.WriteLine($"services.sh start took {restarting.ElapsedMilliseconds} ms (until Redis answers redis-cli)");
            var restarted = Stopwatch.StartNew();
            var recovered = await Eventually.HoldsAsync(async () =>
            {
                using var response = await CallAsync(path, "incr", key);
                return response.StatusCode == HttpStatusCode.OK;
            }, TimeSpan.FromSeconds(20), pollMs: 20);
            output.WriteLine($"200 again {restarted.ElapsedMilliseconds} ms after Redis answered");
            await Task.Delay(300);
            await stopTraffic.CancelAsync();
            await traffic;
            output.WriteLine("traffic during the test: " + string.Join(", ", seen.OrderBy(p => p.Key).Select(p => $"{(int)p.Key} × {p.Value}")));

            // Assert 2 (Redis runs without persistence: the counter starts again)
            recovered.ShouldBeTrue("the cache answers again after Redis restarted");
            restarted.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10));
            _edge.ProcessId.ShouldBe(edgePid);
            (await JsonOkAsync(path, "incr", key)).Num("value").ShouldBeGreaterThan(0);
            seen.Keys.ShouldBe([HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable], ignoreOrder: true, "only 200 and 503 under traffic: " + string.Join(", ", seen));
        }
        finally
        {
            await stopTraffic.CancelAsync();
            await TestServices.RestartAsync();
        }
    }

    private async Task<string> CreateServiceAsync(object? extra = null)
    {
        var name = Unique.Name("redis");
        await _edge.Admin.CreateServiceAsync(TestServices.Redis(name, extra));
        return name;
    }

    private async Task<string> DeployAsync(string serviceName)
    {
        var path = Unique.Path("cache");
        await _edge.Admin.DeployNewAsync(new EndpointSpec { Path = path, Code = Handler.Replace("__SERVICE__", serviceName, StringComparison.Ordinal) });
        return path;
    }

    private Task<HttpResponseMessage> CallAsync(string path, string op, string key, params (string Name, string Value)[] extra)
    {
        var query = string.Join('&', extra.Prepend(("key", key)).Prepend(("op", op))
            .Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2)}"));
        return _edge.Gateway.GetAsync($"{path}?{query}");
    }

    private async Task<JsonElement> JsonOkAsync(string path, string op, string key, params (string Name, string Value)[] extra)
    {
        using var response = await CallAsync(path, op, key, extra);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.DescribeAsync());
        return await response.JsonAsync();
    }
}
